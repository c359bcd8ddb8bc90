// Demo catalog of 示范市: every demo department gets 10–16 resources across the six base libraries and its
// thematic domain, with realistic names, abstracts, keywords and 4–10 fields, in several lifecycle states.
// Deterministic (seeded PRNG, fixed base date) and idempotent (nothing happens when the departments already
// have resources). Batch inserts; one ledger entry per resource ('catalog.resource.create', details.demo).
import { demoElementIdsByFieldName } from '../elements/seed.ts';
import type { AppContext } from '../../context.ts';
import { SYSTEM } from '../identity/actor.ts';
import type { FieldData, GradingFactor, ResourceData, ResourceInsert, Snapshot, Status, UpdateFrequency } from './repository.ts';
import { dataToColumns, fieldsToInsert, validateResource } from './service.ts';

// ---------------------------------------------------------------------------------------------- fields

type FieldSpec = [
  nameZh: string,
  nameEn: string,
  code: string,
  type: FieldData['dataType'],
  length: number | null,
  pii: FieldData['piiKind'],
  unit?: string,
];

const F: Record<string, FieldSpec> = {
  sfzh: ['公民身份号码', 'Citizen ID number', 'sfzh', 'string', 18, 'id_number'],
  xm: ['姓名', 'Name', 'xm', 'string', 50, 'name'],
  xb: ['性别', 'Sex', 'xb', 'string', 1, 'none'],
  mz: ['民族', 'Ethnicity', 'mz', 'string', 2, 'none'],
  csrq: ['出生日期', 'Date of birth', 'csrq', 'date', null, 'none'],
  hjdz: ['户籍地址', 'Registered address', 'hjdz', 'string', 200, 'address'],
  xzz: ['现住址', 'Current address', 'xzz', 'string', 200, 'address'],
  lxdh: ['联系电话', 'Phone number', 'lxdh', 'string', 20, 'phone'],
  djrq: ['登记日期', 'Registration date', 'djrq', 'date', null, 'none'],
  yxqz: ['有效期至', 'Valid until', 'yxqz', 'date', null, 'none'],
  fzrq: ['发证日期', 'Issue date', 'fzrq', 'date', null, 'none'],
  fzjg: ['发证机关', 'Issuing authority', 'fzjg', 'string', 100, 'none'],
  zsbh: ['证书编号', 'Certificate number', 'zsbh', 'string', 50, 'none'],
  tyshxydm: ['统一社会信用代码', 'Unified social credit code', 'tyshxydm', 'string', 18, 'credit_code'],
  qymc: ['企业名称', 'Enterprise name', 'qymc', 'string', 200, 'none'],
  dwmc: ['单位名称', 'Organization name', 'dwmc', 'string', 200, 'none'],
  qylx: ['企业类型', 'Enterprise type', 'qylx', 'string', 50, 'none'],
  fddbr: ['法定代表人', 'Legal representative', 'fddbr', 'string', 50, 'name'],
  zczb: ['注册资本', 'Registered capital', 'zczb', 'decimal', null, 'none', '万元'],
  clrq: ['成立日期', 'Date of establishment', 'clrq', 'date', null, 'none'],
  djjg: ['登记机关', 'Registration authority', 'djjg', 'string', 100, 'none'],
  zs: ['住所', 'Domicile', 'zs', 'string', 200, 'none'],
  jyfw: ['经营范围', 'Business scope', 'jyfw', 'string', 2000, 'none'],
  djzt: ['登记状态', 'Registration status', 'djzt', 'string', 20, 'none'],
  xzqh: ['行政区划代码', 'Administrative division code', 'xzqh', 'string', 6, 'none'],
  tjnd: ['统计年度', 'Statistical year', 'tjnd', 'integer', null, 'none'],
  tjyf: ['统计月份', 'Statistical month', 'tjyf', 'string', 7, 'none'],
  tjjd: ['统计季度', 'Statistical quarter', 'tjjd', 'string', 7, 'none'],
  sl: ['数量', 'Count', 'sl', 'integer', null, 'none', '个'],
  rs: ['人数', 'Number of people', 'rs', 'integer', null, 'none', '人'],
  je: ['金额', 'Amount', 'je', 'decimal', null, 'none', '元'],
  zzl: ['同比增长率', 'Year-on-year growth', 'zzl', 'decimal', null, 'none', '%'],
  zl: ['总量', 'Total', 'zl', 'decimal', null, 'none', '亿元'],
  yhkh: ['银行账号', 'Bank account number', 'yhkh', 'string', 30, 'bank_card'],
  hphm: ['号牌号码', 'Plate number', 'hphm', 'string', 10, 'license_plate'],
  cllx: ['车辆类型', 'Vehicle type', 'cllx', 'string', 20, 'none'],
  clpp: ['车辆品牌', 'Vehicle brand', 'clpp', 'string', 50, 'none'],
  jd: ['经度', 'Longitude', 'jd', 'decimal', null, 'none', '度'],
  wd: ['纬度', 'Latitude', 'wd', 'decimal', null, 'none', '度'],
  dz: ['地址', 'Address', 'dz', 'string', 200, 'none'],
  mc: ['名称', 'Name of the object', 'mc', 'string', 200, 'none'],
  lb: ['类别', 'Category', 'lb', 'string', 50, 'none'],
  bz: ['备注', 'Remarks', 'bz', 'string', 500, 'none'],
  cfjdswh: ['处罚决定书文号', 'Penalty decision number', 'cfjdswh', 'string', 100, 'none'],
  wfxw: ['违法行为', 'Violation', 'wfxw', 'string', 1000, 'none'],
  cfnr: ['处罚内容', 'Penalty', 'cfnr', 'string', 1000, 'none'],
  cfrq: ['处罚决定日期', 'Penalty date', 'cfrq', 'date', null, 'none'],
  xkzbh: ['许可证编号', 'Licence number', 'xkzbh', 'string', 50, 'none'],
  xkfw: ['许可范围', 'Licensed scope', 'xkfw', 'string', 500, 'none'],
  bdcdyh: ['不动产单元号', 'Real estate unit number', 'bdcdyh', 'string', 28, 'none'],
  mj: ['面积', 'Area', 'mj', 'decimal', null, 'none', '平方米'],
  yt: ['用途', 'Use', 'yt', 'string', 50, 'none'],
  xjh: ['学籍号', 'Student number', 'xjh', 'string', 19, 'none'],
  xxmc: ['学校名称', 'School name', 'xxmc', 'string', 100, 'none'],
  nj: ['年级', 'Grade (school year)', 'nj', 'string', 10, 'none'],
  jtrk: ['家庭人口数', 'Household size', 'jtrk', 'integer', null, 'none', '人'],
  ymmc: ['疫苗名称', 'Vaccine', 'ymmc', 'string', 100, 'none'],
  jzrq: ['接种日期', 'Vaccination date', 'jzrq', 'date', null, 'none'],
  jbzd: ['疾病诊断', 'Diagnosis', 'jbzd', 'string', 200, 'none'],
  cws: ['床位数', 'Beds', 'cws', 'integer', null, 'none', '张'],
  xlmc: ['线路名称', 'Line name', 'xlmc', 'string', 100, 'none'],
  zdmc: ['站点名称', 'Stop name', 'zdmc', 'string', 100, 'none'],
  cbzt: ['参保状态', 'Insurance status', 'cbzt', 'string', 10, 'none'],
  xzlx: ['险种类型', 'Insurance type', 'xzlx', 'string', 20, 'none'],
  ffyf: ['发放月份', 'Payment month', 'ffyf', 'string', 7, 'none'],
  email: ['电子邮箱', 'E-mail', 'dzyx', 'string', 100, 'email'],
  hzhm: ['护照号码', 'Passport number', 'hzhm', 'string', 20, 'passport'],
  zt: ['状态', 'Status', 'zt', 'string', 20, 'none'],
  gxsj: ['更新时间', 'Updated at', 'gxsj', 'datetime', null, 'none'],
};

// ---------------------------------------------------------------------------------------------- templates

/**
 * person: data about individuals (ID numbers …) — shared on conditions, never opened.
 * sensitive: health/assistance data at population scale (public interest, serious → important).
 * org: legal-entity data — shared unconditionally, opened on conditions.
 * open: public registers — shared and opened unconditionally.
 * stat: aggregated statistics — shared and opened unconditionally.
 * infra: critical infrastructure (public interest, serious → important) — shared on conditions, not opened.
 * core: high-precision geodata (national security, serious → core) — shared on conditions, not opened.
 */
type Profile = 'person' | 'sensitive' | 'org' | 'open' | 'stat' | 'infra' | 'core';
type Template = [nameZh: string, nameEn: string, subject: string, fields: string, profile: Profile, unit?: string];

interface Dept {
  code: string;
  domain: string;
  purposeZh: string;
  purposeEn: string;
  templates: Template[];
}

const DEPTS: Dept[] = [
  {
    code: 'GA',
    domain: 'GGAQ',
    purposeZh: '支撑户籍管理、身份核验和社会治安管理',
    purposeEn: 'household registration, identity checks and public order',
    templates: [
      ['常住人口基本信息', 'Registered permanent residents', 'RK', 'sfzh xm xb mz csrq hjdz djrq', 'person', 'GA-RK'],
      ['流动人口居住登记信息', 'Temporary residence registrations', 'RK', 'sfzh xm xb xzz lxdh djrq yxqz', 'person', 'GA-RK'],
      ['居民身份证签发信息', 'Resident ID card issuance', 'DZZZ', 'sfzh xm fzjg fzrq yxqz', 'person'],
      ['户籍迁移信息', 'Household registration transfers', 'RK', 'sfzh xm hjdz xzz djrq bz', 'person', 'GA-RK'],
      ['出生登记信息', 'Birth registrations', 'RK', 'sfzh xm xb mz csrq hjdz', 'person', 'GA-RK'],
      ['死亡人口注销信息', 'Deregistrations of deceased persons', 'RK', 'sfzh xm xb djrq bz', 'person', 'GA-RK'],
      ['机动车登记信息', 'Motor vehicle registrations', 'DZZZ', 'hphm cllx clpp xm djrq zt', 'person'],
      ['机动车驾驶证信息', 'Driving licences', 'DZZZ', 'sfzh xm zsbh lb fzrq yxqz', 'person'],
      ['道路交通事故统计', 'Road traffic accident statistics', 'GGAQ', 'tjyf xzqh sl rs', 'stat'],
      ['治安案件统计', 'Public order case statistics', 'GGAQ', 'tjyf xzqh lb sl', 'stat'],
      ['保安服务公司名录', 'Security service companies', 'FR', 'tyshxydm qymc fddbr xkzbh fzrq dz', 'open'],
      ['旅馆业治安管理信息', 'Hotel public-order registrations', 'FR', 'tyshxydm qymc fddbr dz xkzbh zt', 'org'],
      ['出入境证件签发统计', 'Exit-entry document statistics', 'GGAQ', 'tjyf lb sl', 'stat'],
      ['重点场所视频监控点位', 'Video surveillance points at key sites', 'GGAQ', 'mc lb dz jd wd zt', 'infra'],
    ],
  },
  {
    code: 'SCJG',
    domain: 'SCJG',
    purposeZh: '支撑商事登记、市场监管和企业信用监管',
    purposeEn: 'business registration, market supervision and credit supervision',
    templates: [
      ['市场主体登记信息', 'Market entity registrations', 'FR', 'tyshxydm qymc qylx fddbr zczb clrq djjg zs jyfw djzt', 'org', 'SCJG-DJ'],
      ['个体工商户登记信息', 'Individual business registrations', 'FR', 'tyshxydm mc xm dz clrq djzt', 'org', 'SCJG-DJ'],
      ['企业年度报告公示信息', 'Annual reports of enterprises', 'SHXY', 'tyshxydm qymc tjnd rs zt', 'open'],
      ['经营异常名录信息', 'List of enterprises with abnormal operations', 'SHXY', 'tyshxydm qymc wfxw djrq djjg', 'open'],
      ['严重违法失信名单', 'List of seriously illegal and dishonest enterprises', 'SHXY', 'tyshxydm qymc fddbr wfxw djrq djjg', 'open'],
      ['市场监管行政处罚信息', 'Market supervision administrative penalties', 'SHXY', 'cfjdswh tyshxydm qymc wfxw cfnr cfrq', 'open'],
      ['食品生产许可证信息', 'Food production licences', 'DZZZ', 'xkzbh tyshxydm qymc xkfw fzrq yxqz', 'open'],
      ['食品经营许可证信息', 'Food business licences', 'DZZZ', 'xkzbh tyshxydm qymc xkfw fzrq yxqz', 'open'],
      ['特种设备使用登记信息', 'Special equipment registrations', 'SCJG', 'zsbh lb dwmc dz djrq zt', 'org'],
      ['产品质量监督抽查结果', 'Product quality spot-check results', 'SCJG', 'mc lb qymc tjjd zt', 'open'],
      ['强制检定计量器具信息', 'Measuring instruments under mandatory verification', 'SCJG', 'zsbh mc dwmc djrq yxqz', 'org'],
      ['药品零售企业许可信息', 'Retail pharmacy licences', 'DZZZ', 'xkzbh tyshxydm qymc fddbr dz yxqz', 'open'],
      ['投诉举报统计', 'Complaint and report statistics', 'SCJG', 'tjyf lb sl', 'stat'],
      ['电子营业执照信息', 'Electronic business licences', 'DZZZ', 'tyshxydm qymc fddbr clrq fzrq djjg', 'org'],
      ['企业注销登记信息', 'Enterprise deregistrations', 'FR', 'tyshxydm qymc djrq djjg bz', 'open', 'SCJG-DJ'],
      ['知识产权质押登记信息', 'IP pledge registrations', 'SCJG', 'zsbh tyshxydm qymc je djrq', 'org'],
    ],
  },
  {
    code: 'RS',
    domain: 'SHBZ',
    purposeZh: '支撑社会保险经办、就业服务和待遇资格认证',
    purposeEn: 'social insurance, employment services and benefit eligibility checks',
    templates: [
      ['社会保险参保登记信息', 'Social insurance enrolments', 'RK', 'sfzh xm dwmc xzlx djrq cbzt', 'person', 'RS-SB'],
      ['基本养老保险待遇发放信息', 'Basic pension payments', 'RK', 'sfzh xm je ffyf yhkh', 'person', 'RS-SB'],
      ['失业保险金领取信息', 'Unemployment benefit payments', 'RK', 'sfzh xm je ffyf', 'person', 'RS-SB'],
      ['就业登记信息', 'Employment registrations', 'RK', 'sfzh xm dwmc djrq lb', 'person'],
      ['职业资格证书信息', 'Vocational qualification certificates', 'DZZZ', 'zsbh sfzh xm lb fzrq', 'person'],
      ['社会保障卡发放信息', 'Social security card issuance', 'DZZZ', 'zsbh sfzh xm fzrq zt', 'person', 'RS-SB'],
      ['用人单位参保缴费信息', 'Employer contributions', 'FR', 'tyshxydm dwmc rs je ffyf', 'org', 'RS-SB'],
      ['劳动保障监察行政处罚信息', 'Labour inspection penalties', 'SHXY', 'cfjdswh tyshxydm dwmc wfxw cfnr cfrq', 'open'],
      ['人力资源服务机构名录', 'Human resources service agencies', 'FR', 'tyshxydm dwmc fddbr xkzbh dz', 'open'],
      ['城镇新增就业统计', 'New urban employment statistics', 'HGJJ', 'tjyf xzqh rs zzl', 'stat'],
      ['职业技能培训补贴发放信息', 'Vocational training subsidies', 'SHBZ', 'sfzh xm je ffyf lb', 'person'],
      ['工伤认定信息', 'Work injury determinations', 'SHBZ', 'sfzh xm dwmc djrq jbzd', 'sensitive', 'RS-SB'],
    ],
  },
  {
    code: 'WJ',
    domain: 'WSJK',
    purposeZh: '支撑卫生健康服务、公共卫生管理和医疗机构监管',
    purposeEn: 'health services, public health and supervision of medical institutions',
    templates: [
      ['出生医学证明信息', 'Medical birth certificates', 'DZZZ', 'zsbh xm xb csrq sfzh dz', 'person', 'WJ-XX'],
      ['医疗机构执业登记信息', 'Medical institution licences', 'FR', 'xkzbh dwmc lb fddbr dz cws', 'open'],
      ['医师执业注册信息', 'Physician registrations', 'DZZZ', 'zsbh xm lb dwmc fzrq', 'org'],
      ['护士执业注册信息', 'Nurse registrations', 'DZZZ', 'zsbh xm dwmc fzrq yxqz', 'org'],
      ['预防接种记录', 'Vaccination records', 'RK', 'sfzh xm ymmc jzrq dwmc', 'sensitive', 'WJ-XX'],
      ['居民电子健康档案', 'Electronic health records', 'RK', 'sfzh xm xb csrq lxdh jbzd', 'sensitive', 'WJ-XX'],
      ['法定传染病疫情统计', 'Notifiable infectious disease statistics', 'WSJK', 'tjyf lb sl rs', 'stat'],
      ['医疗卫生资源统计', 'Health resources statistics', 'HGJJ', 'tjnd xzqh lb sl cws', 'stat'],
      ['死亡医学证明信息', 'Medical death certificates', 'DZZZ', 'zsbh sfzh xm djrq jbzd', 'sensitive'],
      ['公共场所卫生许可证信息', 'Public venue hygiene licences', 'DZZZ', 'xkzbh tyshxydm dwmc dz fzrq yxqz', 'open'],
      ['婚前医学检查统计', 'Premarital medical check statistics', 'WSJK', 'tjnd xzqh rs', 'stat'],
      ['院前急救调度统计', 'Emergency dispatch statistics', 'WSJK', 'tjyf xzqh sl', 'stat'],
    ],
  },
  {
    code: 'JT',
    domain: 'JTYS',
    purposeZh: '支撑道路运输管理、交通执法和出行服务',
    purposeEn: 'road transport management, enforcement and travel services',
    templates: [
      ['道路运输经营许可信息', 'Road transport business licences', 'DZZZ', 'xkzbh tyshxydm qymc xkfw fzrq yxqz', 'open'],
      ['道路运输从业人员从业资格信息', 'Road transport worker qualifications', 'DZZZ', 'zsbh sfzh xm lb fzrq yxqz', 'person', 'JT-ZF'],
      ['营运车辆基本信息', 'Commercial vehicles', 'JTYS', 'hphm cllx clpp dwmc zsbh zt', 'org'],
      ['公交线路与站点信息', 'Bus lines and stops', 'ZRKJ', 'xlmc zdmc jd wd gxsj', 'stat'],
      ['巡游出租汽车运营统计', 'Taxi operation statistics', 'JTYS', 'tjyf sl zl', 'stat'],
      ['交通运输行政处罚信息', 'Transport administrative penalties', 'SHXY', 'cfjdswh tyshxydm qymc wfxw cfnr cfrq', 'open', 'JT-ZF'],
      ['公路桥梁基本信息', 'Highway bridges', 'ZRKJ', 'mc lb dz jd wd clrq', 'infra'],
      ['公共停车场泊位信息', 'Public parking spaces', 'JTYS', 'mc dz sl jd wd gxsj', 'stat'],
      ['网络预约出租汽车驾驶员证信息', 'Ride-hailing driver permits', 'DZZZ', 'zsbh sfzh xm fzrq yxqz', 'person'],
      ['港口货物吞吐量统计', 'Port cargo throughput statistics', 'HGJJ', 'tjyf zl zzl', 'stat'],
      ['公路货物运输量统计', 'Road freight statistics', 'HGJJ', 'tjyf zl zzl', 'stat'],
    ],
  },
  {
    code: 'ZRZY',
    domain: 'ZRZY',
    purposeZh: '支撑不动产登记、国土空间规划和自然资源管理',
    purposeEn: 'real estate registration, spatial planning and natural resources management',
    templates: [
      ['不动产登记信息', 'Real estate registrations', 'ZRKJ', 'bdcdyh xm sfzh dz mj yt djrq', 'person'],
      ['不动产权证书信息', 'Real estate title certificates', 'DZZZ', 'zsbh bdcdyh xm dz mj fzrq', 'person'],
      ['国有建设用地供应信息', 'State-owned construction land supply', 'ZRKJ', 'mc dz mj yt je djrq', 'open'],
      ['基础测绘成果目录', 'Basic surveying products', 'ZRKJ', 'mc lb xzqh clrq zt', 'open', 'ZRZY-CH'],
      ['1:500 高精度基础地理信息', '1:500 high-precision basic geographic data', 'ZRKJ', 'mc lb xzqh jd wd gxsj', 'core', 'ZRZY-CH'],
      ['土地利用现状信息', 'Current land use', 'ZRKJ', 'xzqh yt mj tjnd', 'stat'],
      ['建设用地规划许可信息', 'Construction land planning permits', 'DZZZ', 'xkzbh dwmc dz mj yt fzrq', 'open'],
      ['地质灾害隐患点信息', 'Geological hazard sites', 'ZRZY', 'mc lb dz jd wd rs', 'infra'],
      ['矿业权登记信息', 'Mining right registrations', 'ZRZY', 'xkzbh dwmc mc mj fzrq yxqz', 'org'],
      ['国土空间规划分区信息', 'Spatial planning zones', 'ZRKJ', 'mc lb xzqh mj', 'stat'],
      ['永久基本农田信息', 'Permanent basic farmland', 'ZRKJ', 'xzqh mc mj jd wd', 'org'],
    ],
  },
  {
    code: 'TJ',
    domain: 'TJXX',
    purposeZh: '反映全市国民经济和社会发展情况',
    purposeEn: 'monitoring the economic and social development of the city',
    templates: [
      ['地区生产总值统计', 'Gross regional product', 'HGJJ', 'tjjd zl zzl', 'stat'],
      ['居民消费价格指数', 'Consumer price index', 'HGJJ', 'tjyf lb zzl', 'stat'],
      ['规模以上工业增加值统计', 'Industrial value added above designated size', 'HGJJ', 'tjyf zl zzl', 'stat'],
      ['社会消费品零售总额统计', 'Retail sales of consumer goods', 'HGJJ', 'tjyf zl zzl', 'stat'],
      ['固定资产投资统计', 'Fixed asset investment', 'HGJJ', 'tjyf lb zl zzl', 'stat'],
      ['常住人口统计', 'Resident population statistics', 'RK', 'tjnd xzqh rs zzl', 'stat'],
      ['城乡居民收支统计', 'Urban and rural household income and expenditure', 'HGJJ', 'tjjd lb je zzl', 'stat', 'TJ-DC'],
      ['统计调查单位名录', 'Register of statistical units', 'FR', 'tyshxydm dwmc lb xzqh rs', 'org'],
      ['经济普查主要数据', 'Main economic census data', 'HGJJ', 'tjnd lb sl rs zl', 'stat'],
      ['统计执法检查结果信息', 'Statistical law enforcement results', 'SHXY', 'cfjdswh tyshxydm dwmc wfxw cfrq', 'open'],
    ],
  },
  {
    code: 'JY',
    domain: 'JYKY',
    purposeZh: '支撑学籍管理、教育资助和办学监管',
    purposeEn: 'student registry, student aid and school supervision',
    templates: [
      ['中小学生学籍信息', 'Primary and secondary student registry', 'RK', 'xjh sfzh xm xb csrq xxmc nj', 'person', 'JY-XJ'],
      ['学校基本信息', 'Schools', 'FR', 'zsbh xxmc lb dz lxdh rs', 'open'],
      ['教师资格证书信息', 'Teacher qualification certificates', 'DZZZ', 'zsbh sfzh xm lb fzrq', 'person'],
      ['学历证书信息', 'Diplomas', 'DZZZ', 'zsbh sfzh xm xxmc fzrq', 'person', 'JY-XJ'],
      ['民办学校办学许可证信息', 'Private school licences', 'DZZZ', 'xkzbh tyshxydm xxmc fddbr dz yxqz', 'open'],
      ['义务教育招生计划', 'Compulsory education enrolment plans', 'JYKY', 'tjnd xxmc rs', 'stat'],
      ['学生资助发放信息', 'Student aid payments', 'JYKY', 'sfzh xm xxmc je ffyf yhkh', 'person'],
      ['教育事业统计', 'Education statistics', 'HGJJ', 'tjnd lb sl rs', 'stat'],
      ['校外培训机构信息', 'Off-campus tutoring institutions', 'FR', 'tyshxydm dwmc fddbr dz xkzbh zt', 'open'],
      ['高校毕业生就业统计', 'Graduate employment statistics', 'JYKY', 'tjnd lb rs zzl', 'stat'],
    ],
  },
  {
    code: 'MZ',
    domain: 'MZFW',
    purposeZh: '支撑婚姻登记、社会救助和社会组织管理',
    purposeEn: 'marriage registration, social assistance and social organizations',
    templates: [
      ['婚姻登记信息', 'Marriage registrations', 'RK', 'sfzh xm xb djrq lb fzjg', 'person', 'MZ-HY'],
      ['社会组织登记信息', 'Social organization registrations', 'FR', 'tyshxydm dwmc lb fddbr clrq djzt', 'open'],
      ['最低生活保障对象信息', 'Minimum living allowance recipients', 'RK', 'sfzh xm jtrk je ffyf', 'sensitive'],
      ['特困人员救助供养信息', 'Support for persons in extreme poverty', 'RK', 'sfzh xm dz je ffyf', 'sensitive'],
      ['养老机构信息', 'Elderly care institutions', 'FR', 'tyshxydm dwmc dz cws lxdh', 'open'],
      ['殡葬服务机构信息', 'Funeral service institutions', 'FR', 'tyshxydm dwmc dz lb', 'open'],
      ['标准地名信息', 'Standard place names', 'ZRKJ', 'mc lb xzqh jd wd', 'stat'],
      ['行政区划信息', 'Administrative divisions', 'ZRKJ', 'xzqh mc lb gxsj', 'stat'],
      ['残疾人两项补贴发放信息', 'Disability subsidies', 'MZFW', 'sfzh xm je ffyf lb', 'sensitive'],
      ['慈善组织认定信息', 'Recognized charities', 'SHXY', 'tyshxydm dwmc fddbr djrq zt', 'open'],
    ],
  },
  {
    code: 'ZJ',
    domain: 'ZFCX',
    purposeZh: '支撑建筑市场监管、房地产管理和住房保障',
    purposeEn: 'construction market supervision, real estate and housing security',
    templates: [
      ['建筑业企业资质信息', 'Construction enterprise qualifications', 'DZZZ', 'zsbh tyshxydm qymc lb fzrq yxqz', 'open'],
      ['建筑工程施工许可信息', 'Construction permits', 'DZZZ', 'xkzbh mc dwmc dz mj fzrq', 'open'],
      ['商品房预售许可信息', 'Pre-sale permits for commercial housing', 'DZZZ', 'xkzbh qymc mc dz mj fzrq', 'open'],
      ['住房公积金缴存信息', 'Housing provident fund contributions', 'RK', 'sfzh xm dwmc je ffyf zt', 'person', 'ZJ-GJJ'],
      ['物业服务企业信息', 'Property management companies', 'FR', 'tyshxydm qymc fddbr dz lxdh', 'org'],
      ['存量房网签备案信息', 'Second-hand housing contract filings', 'ZFCX', 'zsbh dz mj je xm sfzh djrq', 'person'],
      ['城市燃气管网信息', 'Urban gas pipeline network', 'ZFCX', 'mc lb dz jd wd clrq', 'infra'],
      ['公共租赁住房保障信息', 'Public rental housing allocations', 'ZFCX', 'sfzh xm jtrk dz djrq', 'person'],
      ['建设工程质量安全监督信息', 'Construction quality and safety supervision', 'ZFCX', 'mc dwmc dz zt djrq', 'org'],
      ['注册建造师信息', 'Registered constructors', 'DZZZ', 'zsbh xm dwmc lb yxqz', 'org', 'ZJ-GJJ'],
    ],
  },
];

// ---------------------------------------------------------------------------------------------- profiles

interface ProfileSpec {
  shareMode: ResourceData['shareMode'];
  shareConditions: string;
  shareBasis: string;
  openMode: ResourceData['openMode'];
  openConditions: string;
  openBasis: string;
  factors: GradingFactor[];
  freq: UpdateFrequency[];
  formats: string[];
  license: string;
}

const PERSON_BASIS = '《中华人民共和国个人信息保护法》第十三条、第二十八条；涉及个人信息，依法不予开放';
const PROFILES: Record<Profile, ProfileSpec> = {
  person: {
    shareMode: 'conditional',
    shareConditions: '限依法履职需要，经申请审核后通过接口核验或按需调用，遵循最小必要原则',
    shareBasis: '',
    openMode: 'none',
    openConditions: '',
    openBasis: PERSON_BASIS,
    factors: [{ object: 'personal_rights', degree: 'particularly_serious' }],
    freq: ['realtime', 'daily'],
    formats: ['api', 'database'],
    license: '',
  },
  sensitive: {
    shareMode: 'conditional',
    shareConditions: '限卫生健康、社会救助等法定职责需要，经数据提供部门同意，仅提供核验结果或脱敏数据',
    shareBasis: '',
    openMode: 'none',
    openConditions: '',
    openBasis: PERSON_BASIS,
    factors: [
      { object: 'personal_rights', degree: 'particularly_serious' },
      { object: 'public_interest', degree: 'serious' },
    ],
    freq: ['daily', 'monthly'],
    formats: ['api', 'database'],
    license: '',
  },
  org: {
    shareMode: 'unconditional',
    shareConditions: '',
    shareBasis: '',
    openMode: 'conditional',
    openConditions: '实名注册并签署数据使用协议后申请使用',
    openBasis: '',
    factors: [{ object: 'organization_rights', degree: 'serious' }],
    freq: ['daily', 'weekly'],
    formats: ['api', 'xlsx', 'csv'],
    license: '示范市公共数据开放许可协议',
  },
  open: {
    shareMode: 'unconditional',
    shareConditions: '',
    shareBasis: '',
    openMode: 'unconditional',
    openConditions: '',
    openBasis: '',
    factors: [{ object: 'organization_rights', degree: 'general' }],
    freq: ['daily', 'weekly', 'monthly'],
    formats: ['api', 'xlsx', 'csv', 'json'],
    license: 'CC BY 4.0',
  },
  stat: {
    shareMode: 'unconditional',
    shareConditions: '',
    shareBasis: '',
    openMode: 'unconditional',
    openConditions: '',
    openBasis: '',
    factors: [],
    freq: ['monthly', 'quarterly', 'yearly'],
    formats: ['xlsx', 'csv', 'json'],
    license: 'CC BY 4.0',
  },
  infra: {
    shareMode: 'conditional',
    shareConditions: '限应急管理、城市运行等职责需要，经数据管理机构审核，在安全环境内使用',
    shareBasis: '',
    openMode: 'none',
    openConditions: '',
    openBasis: '涉及关键基础设施安全，依据《中华人民共和国数据安全法》第二十一条不予开放',
    factors: [{ object: 'public_interest', degree: 'serious' }],
    freq: ['monthly', 'irregular'],
    formats: ['database', 'shp', 'geojson'],
    license: '',
  },
  core: {
    shareMode: 'conditional',
    shareConditions: '限涉密测绘成果使用审批范围内的单位，在专网和安全环境内使用',
    shareBasis: '',
    openMode: 'none',
    openConditions: '',
    openBasis: '《中华人民共和国测绘法》第三十四条、《中华人民共和国数据安全法》第二十一条',
    factors: [{ object: 'national_security', degree: 'serious' }],
    freq: ['yearly'],
    formats: ['database', 'shp'],
    license: '',
  },
};

const FREQ_ZH: Record<UpdateFrequency, string> = {
  realtime: '实时',
  daily: '每日',
  weekly: '每周',
  monthly: '每月',
  quarterly: '每季度',
  half_yearly: '每半年',
  yearly: '每年',
  irregular: '不定期',
};
const FREQ_EN: Record<UpdateFrequency, string> = {
  realtime: 'in real time',
  daily: 'daily',
  weekly: 'weekly',
  monthly: 'monthly',
  quarterly: 'quarterly',
  half_yearly: 'every six months',
  yearly: 'yearly',
  irregular: 'irregularly',
};

/** Lifecycle pattern by position within a department (each department gets every interesting state). */
const STATE_CYCLE = [
  'published',
  'published',
  'submitted',
  'published2',
  'draft',
  'published',
  'updated',
  'returned',
  'published',
  'approved',
  'published',
  'deprecated',
  'published2',
  'published',
  'updated_submitted',
  'published',
] as const;
type SeedState = (typeof STATE_CYCLE)[number];
/** The first resources of every department cover the main states. */
const STATE_HEAD: SeedState[] = ['published', 'submitted', 'published2', 'draft', 'published', 'updated', 'returned', 'approved'];

// ---------------------------------------------------------------------------------------------- PRNG

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;
const dateOnly = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface CatalogSeedSummary {
  created: boolean;
  resources: number;
}

function fieldOf(key: string, shareMode: ResourceData['shareMode'], openMode: ResourceData['openMode']): Partial<FieldData> {
  const s = F[key];
  if (!s) throw new Error(`demo field ${key} is not defined`);
  const [nameZh, nameEn, code, dataType, length, piiKind, unit] = s;
  return {
    nameZh,
    nameEn,
    code,
    dataType,
    length,
    precision: dataType === 'decimal' ? 2 : null,
    unit: unit ?? '',
    piiKind,
    required: ['sfzh', 'tyshxydm', 'xkzbh', 'zsbh', 'bdcdyh', 'xjh', 'cfjdswh'].includes(key),
    shareMode,
    openMode,
  };
}

/** Seeds the demo catalog (idempotent). Call after the identity seed. */
export async function seedCatalogDemo(ctx: AppContext): Promise<CatalogSeedSummary> {
  const { catalog } = ctx;
  const repo = catalog.repo;
  const orgs = new Map<string, string>();
  const orgNames = new Map<string, { zh: string; en: string }>();
  const all = await ctx.identity.listOrgs(SYSTEM);
  for (const code of DEPTS.flatMap((d) => [d.code, ...d.templates.map((t) => t[5]).filter((u): u is string => !!u)])) {
    if (orgs.has(code)) continue;
    const org = all.find((o) => o.code === code);
    if (!org) return { created: false, resources: 0 }; // not the demo world
    orgs.set(code, org.id);
    orgNames.set(code, { zh: org.nameZh, en: org.nameEn });
  }
  const g = await catalog.gradingContext();
  // Fields that carry a standard data element (公民身份号码, 统一社会信用代码, …) name it from their first version.
  const elementIds = await demoElementIdsByFieldName(ctx);
  const rand = mulberry32(20240101);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

  return ctx.db.transaction().execute(async (tx) => {
    await repo.seedLock(tx);
    if (await repo.anyResourceOf(tx, [...orgs.values()])) return { created: false, resources: 0 };

    interface Planned {
      insert: ResourceInsert;
      fields: FieldData[];
      state: SeedState;
      data: ResourceData;
      v1?: Snapshot;
      pending?: { resource: ResourceData; fields: FieldData[] };
      times: { created: number; submitted: number; approved: number; published: number; later: number };
    }
    const planned: Planned[] = [];
    for (const dept of DEPTS) {
      const deptName = orgNames.get(dept.code)!;
      dept.templates.forEach((t, i) => {
        const [nameZh, nameEn, subject, fieldKeys, profileName, unit] = t;
        const p = PROFILES[profileName];
        const orgCode = unit ?? dept.code;
        const freq = pick(p.freq);
        const keys = fieldKeys.split(' ');
        // Every resource has at least four fields: short statistical tables also name their area.
        for (const k of ['xzqh', 'gxsj', 'bz']) if (keys.length < 4 && !keys.includes(k)) keys.push(k);
        const fieldInputs = keys.map((k) => {
          const f = fieldOf(k, p.shareMode, p.openMode);
          return { ...f, elementId: elementIds.get(f.nameZh!) ?? null };
        });
        const fieldNames = fieldInputs.map((f) => f.nameZh!);
        const fieldNamesEn = fieldInputs.map((f) => f.nameEn!.toLowerCase());
        const startYear = 2000 + Math.floor(rand() * 19);
        const input: Partial<ResourceData> = {
          nameZh,
          nameEn,
          abstractZh:
            `${orgNames.get(orgCode)!.zh}在依法履职过程中产生和维护的${nameZh}，包括${fieldNames.slice(0, 5).join('、')}等信息项，` +
            `${FREQ_ZH[freq]}更新，${dept.purposeZh}。`,
          abstractEn:
            `${nameEn} maintained by the ${orgNames.get(orgCode)!.en}, with fields such as ${fieldNamesEn.slice(0, 4).join(', ')}; ` +
            `updated ${FREQ_EN[freq]}; used for ${dept.purposeEn}.`,
          keywords: [
            ...new Set([
              nameZh.replace(/(信息|统计|名录|名单|记录|目录)$/u, ''),
              g.categories.get(dept.domain)!.name_zh,
              ...fieldNames.slice(0, 2),
            ]),
          ],
          subjectCategory: subject,
          domainCategory: dept.domain,
          formats: p.formats,
          updateFrequency: freq,
          spatialCoverage: '示范市',
          temporalStart: `${startYear}-01-01`,
          temporalEnd: null,
          shareMode: p.shareMode,
          shareConditions: p.shareConditions,
          shareBasis: p.shareBasis,
          openMode: p.openMode,
          openConditions: p.openConditions,
          openBasis: p.openBasis,
          license: p.license,
          contactName: `${deptName.zh}数据管理员`,
          contactPhone: '',
          contactEmail: `data@${dept.code.toLowerCase()}.shifan.example`,
          grade: 'general',
          gradeLevel: 1,
          gradingFactors: p.factors,
          releaseDate: null,
        };
        const { data, fields } = validateResource(input, fieldInputs, g);
        const state = i < STATE_HEAD.length ? STATE_HEAD[i]! : STATE_CYCLE[(i + DEPTS.indexOf(dept) * 3) % STATE_CYCLE.length]!;
        const created = BASE - Math.floor(400 + rand() * 300) * DAY;
        const submitted = created + Math.floor(1 + rand() * 20) * DAY;
        const approved = submitted + Math.floor(1 + rand() * 5) * DAY;
        const published = approved + Math.floor(1 + rand() * 3) * DAY;
        const later = published + Math.floor(30 + rand() * 300) * DAY;
        const times = { created, submitted, approved, published, later };
        const isPublished = ['published', 'published2', 'updated', 'updated_submitted', 'deprecated'].includes(state);
        if (isPublished) data.releaseDate = dateOnly(published);
        const status: Status =
          state === 'published2' ? 'published' : state === 'updated' || state === 'updated_submitted' ? 'updated' : (state as Status);
        const plan: Planned = {
          state,
          data,
          fields,
          times,
          insert: {
            code: '',
            provider_org_id: orgs.get(orgCode)!,
            ...dataToColumns(data),
            status,
            revision_status: state === 'updated' ? 'draft' : state === 'updated_submitted' ? 'submitted' : null,
            pending: null,
            grade_confirmed: isPublished || state === 'approved',
            grade_confirmed_by: null,
            grade_confirmed_at: isPublished || state === 'approved' ? new Date(approved) : null,
            current_version: state === 'published2' ? 2 : isPublished ? 1 : 0,
            published_at: isPublished ? new Date(state === 'published2' ? later : published) : null,
            created_by: null,
            created_at: new Date(created),
            updated_at: new Date(isPublished ? (state === 'published' ? published : later) : state === 'draft' ? created : submitted),
            popularity: isPublished ? Math.floor(rand() * rand() * 3000) : 0,
          },
        };
        if (state === 'published2') {
          // Version 1 lacked the last field and had a shorter abstract.
          plan.v1 = {
            code: '',
            providerOrgId: plan.insert.provider_org_id,
            resource: { ...data, abstractZh: `${nameZh}。` },
            fields: fields.slice(0, -1),
          };
        }
        if (status === 'updated') {
          const extraKey = ['bz', 'gxsj', 'zt'].find((k) => !keys.includes(k))!;
          const extra = fieldOf(extraKey, fields[0]!.shareMode, fields[0]!.openMode) as FieldData;
          const rev = validateResource(
            { ...data, abstractZh: `${data.abstractZh}新增${F[extraKey]![0]}信息项。`, keywords: [...data.keywords, '修订'] },
            [...fields, extra],
            g,
          );
          plan.pending = { resource: rev.data, fields: rev.fields };
          plan.insert.pending = JSON.stringify(plan.pending);
        }
        planned.push(plan);
      });
    }

    // Codes: <subject category>-<org code>-<sequence> from the per-(category, org) sequences.
    for (const p of planned) {
      const orgCode = [...orgs].find(([, id]) => id === p.insert.provider_org_id)![0];
      const seq = await repo.nextSequence(tx, p.data.subjectCategory, p.insert.provider_org_id);
      p.insert.code = `${p.data.subjectCategory}-${orgCode}-${String(seq).padStart(5, '0')}`;
      if (p.v1) p.v1.code = p.insert.code;
    }
    const ids = await repo.insertResources(
      tx,
      planned.map((p) => p.insert),
    );
    const idByCode = new Map(ids.map((r) => [r.code, r.id]));
    const fieldRows = planned.flatMap((p) => fieldsToInsert(idByCode.get(p.insert.code!)!, p.fields));
    await repo.insertFields(tx, fieldRows);

    const versions: Parameters<typeof repo.insertVersions>[1] = [];
    const events: Parameters<typeof repo.insertEvents>[1] = [];
    const ev = (rid: string, from: string, to: string, comment: string, at: number, actorName: string) =>
      events.push({
        resource_id: rid,
        from_state: from,
        to_state: to,
        comment,
        actor_id: null,
        actor_name: actorName,
        created_at: new Date(at),
      });
    for (const p of planned) {
      const rid = idByCode.get(p.insert.code!)!;
      const snap = (data: ResourceData, fields: FieldData[]): string =>
        JSON.stringify({ code: p.insert.code, providerOrgId: p.insert.provider_org_id, resource: data, fields } satisfies Snapshot);
      const provider = '部门经办人';
      const authority = '数据局审核员';
      const { created, submitted, approved, published, later } = p.times;
      if (p.state === 'draft') continue;
      ev(rid, 'draft', 'submitted', '目录编制完成，提交审核', submitted, provider);
      if (p.state === 'submitted') continue;
      if (p.state === 'returned') {
        ev(rid, 'submitted', 'returned', '请补充共享条件的具体适用范围，并核对信息项的数据类型', approved, authority);
        continue;
      }
      ev(rid, 'submitted', 'approved', '元数据完整，分级与共享开放属性一致，同意', approved, authority);
      if (p.state === 'approved') continue;
      ev(rid, 'approved', 'published', '发布至公共数据资源目录', published, authority);
      if (p.state === 'published2' && p.v1) {
        versions.push({
          resource_id: rid,
          version: 1,
          snapshot: snap(p.v1.resource, p.v1.fields),
          reason: 'publish',
          comment: '发布至公共数据资源目录',
          created_by: null,
          created_by_name: authority,
          created_at: new Date(published),
        });
        ev(rid, 'published', 'updated:draft', '补充信息项', later - 10 * DAY, provider);
        ev(rid, 'updated:draft', 'updated:submitted', '提交修订', later - 8 * DAY, provider);
        ev(rid, 'updated:submitted', 'updated:approved', '同意修订', later - 2 * DAY, authority);
        ev(rid, 'updated:approved', 'published', '发布修订版本', later, authority);
        versions.push({
          resource_id: rid,
          version: 2,
          snapshot: snap(p.data, p.fields),
          reason: 'revision',
          comment: '发布修订版本',
          created_by: null,
          created_by_name: authority,
          created_at: new Date(later),
        });
        continue;
      }
      versions.push({
        resource_id: rid,
        version: 1,
        snapshot: snap(p.data, p.fields),
        reason: 'publish',
        comment: '发布至公共数据资源目录',
        created_by: null,
        created_by_name: authority,
        created_at: new Date(published),
      });
      if (p.state === 'updated' || p.state === 'updated_submitted') {
        ev(rid, 'published', 'updated:draft', `新增${p.pending!.fields.at(-1)!.nameZh}信息项`, later, provider);
        if (p.state === 'updated_submitted') ev(rid, 'updated:draft', 'updated:submitted', '提交修订，请审核', later + DAY, provider);
      }
      if (p.state === 'deprecated') ev(rid, 'published', 'deprecated', '该资源已由新的数据资源替代，停止更新', later, authority);
      void created;
    }
    await repo.insertVersions(tx, versions);
    await repo.insertEvents(tx, events);

    for (const p of planned) {
      const rid = idByCode.get(p.insert.code!)!;
      await ctx.search.indexResource(tx, rid);
    }
    for (const p of planned) {
      await ctx.ledger.append(tx, {
        actor: SYSTEM,
        action: 'catalog.resource.create',
        objectType: 'catalog_resource',
        objectId: idByCode.get(p.insert.code!)!,
        orgId: p.insert.provider_org_id,
        details: { code: p.insert.code, nameZh: p.data.nameZh, status: p.insert.status, fields: p.fields.length, demo: true },
      });
    }
    return { created: true, resources: planned.length };
  });
}
