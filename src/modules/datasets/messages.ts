// Messages of the datasets module (data plane: ingest, schema, build, versions), keyed by code, registered at import.
// One flat table: file-level ingest errors, warnings (StageResult.warnings holds these codes), reasons of rows
// left out and of bad values (BadRow.reason holds these codes; their texts take no parameters) and build errors.
// Later parts of the module add their codes here.
import { registerMessages } from '../../i18n/messages.ts';

export const DATASETS_MESSAGES = {
  // ingest: file type and encoding
  FILE_EMPTY: { 'zh-CN': '文件“{file}”是空文件', en: 'The file "{file}" is empty' },
  FILE_TYPE_MISMATCH: {
    'zh-CN': '文件“{file}”的内容是 {detected}，与扩展名 .{extension} 不符',
    en: 'The content of "{file}" is {detected}, which does not match its extension .{extension}',
  },
  FILE_TYPE_UNSUPPORTED: {
    'zh-CN': '不支持的文件类型：“{file}”（支持 CSV、TSV、TXT、XLSX、JSON、NDJSON、Parquet；.xls 请另存为 .xlsx）',
    en: 'Unsupported file type: "{file}" (CSV, TSV, TXT, XLSX, JSON, NDJSON and Parquet are supported; save .xls as .xlsx)',
  },
  FILE_CORRUPT: { 'zh-CN': '文件“{file}”已损坏或无法读取：{reason}', en: 'The file "{file}" is corrupt or unreadable: {reason}' },
  FILE_NO_COLUMNS: { 'zh-CN': '文件“{file}”没有任何列', en: 'The file "{file}" has no columns' },
  FILE_TOO_MANY_COLUMNS: {
    'zh-CN': '文件“{file}”有 {count} 列，超过上限 {max} 列',
    en: 'The file "{file}" has {count} columns, more than the limit of {max}',
  },
  ENCODING_UNDECODABLE: {
    'zh-CN': '文件“{file}”第 {line} 行（字节位置 {offset}）无法按 {encoding} 解码；请将文件另存为 UTF-8 或指定正确的编码',
    en: 'Line {line} of "{file}" (byte {offset}) cannot be decoded as {encoding}; save the file as UTF-8 or choose the right encoding',
  },
  ENCODING_UNSUPPORTED: {
    'zh-CN': '文件“{file}”的编码 {encoding} 不受支持（支持 UTF-8、GBK、GB18030）',
    en: 'The encoding {encoding} of "{file}" is not supported (UTF-8, GBK and GB18030 are)',
  },
  // ingest: header
  HEADER_DUPLICATE: {
    'zh-CN': '文件“{file}”的表头重复：第 {first} 列“{firstName}”与第 {second} 列“{name}”同名',
    en: 'Duplicate header in "{file}": column {first} "{firstName}" and column {second} "{name}" have the same name',
  },
  HEADER_RESERVED: {
    'zh-CN': '文件“{file}”第 {column} 列的列名“{name}”是系统保留名，请改名',
    en: 'Column {column} of "{file}" is named "{name}", a reserved name; rename it',
  },
  // ingest: CSV
  CSV_RAGGED_ROW: {
    'zh-CN': '文件“{file}”第 {line} 行有 {found} 列，与表头的 {expected} 列不一致',
    en: 'Line {line} of "{file}" has {found} columns; the header has {expected}',
  },
  CSV_UNTERMINATED_QUOTE: {
    'zh-CN': '文件“{file}”第 {line} 行的引号没有闭合（或闭合引号后紧跟其他字符）',
    en: 'Line {line} of "{file}" has a quote that is not closed (or is followed by other characters)',
  },
  CSV_LINE_TOO_LONG: {
    'zh-CN': '文件“{file}”第 {line} 行超过单行长度上限 {max} 字节',
    en: 'Line {line} of "{file}" is longer than the limit of {max} bytes',
  },
  CSV_INVALID: { 'zh-CN': '文件“{file}”第 {line} 行无法解析：{reason}', en: 'Line {line} of "{file}" cannot be parsed: {reason}' },
  INGEST_OPTION_INVALID: { 'zh-CN': '导入选项无效：{option} = {value}', en: 'Invalid ingest option: {option} = {value}' },
  // ingest: XLSX
  XLSX_ZIP_BOMB: {
    'zh-CN': '文件“{file}”疑似压缩炸弹（{entry} 解压后 {size} 字节，压缩比 {ratio}），已拒绝',
    en: 'The file "{file}" looks like a zip bomb ({entry}: {size} bytes uncompressed, ratio {ratio}); refused',
  },
  XLSX_TOO_LARGE: {
    'zh-CN': '文件“{file}”超出限制：{what} 为 {value}，上限 {max}',
    en: 'The file "{file}" exceeds a limit: {what} is {value}, the limit is {max}',
  },
  XLSX_INVALID: { 'zh-CN': '文件“{file}”不是有效的 XLSX 工作簿：{reason}', en: 'The file "{file}" is not a valid XLSX workbook: {reason}' },
  XLSX_SHEET_NOT_FOUND: {
    'zh-CN': '文件“{file}”中没有工作表“{sheet}”（现有：{sheets}）',
    en: 'The file "{file}" has no sheet "{sheet}" (sheets: {sheets})',
  },
  XLSX_ROW_EXTRA_VALUES: {
    'zh-CN': '文件“{file}”第 {row} 行第 {column} 列有值，但该列没有表头',
    en: 'Row {row} of "{file}" has a value in column {column}, which has no header',
  },
  // ingest: JSON
  JSON_TOO_DEEP: {
    'zh-CN': '文件“{file}”第 {line} 行的嵌套层数超过上限 {max}',
    en: 'Line {line} of "{file}" is nested more than {max} levels deep',
  },
  JSON_INVALID: { 'zh-CN': '文件“{file}”第 {line} 行不是有效的 JSON：{reason}', en: 'Line {line} of "{file}" is not valid JSON: {reason}' },
  JSON_NOT_RECORDS: {
    'zh-CN': '文件“{file}”的第 {row} 条记录不是 JSON 对象（应为对象数组或每行一个对象）',
    en: 'Record {row} of "{file}" is not a JSON object (expected an array of objects or one object per line)',
  },
  // ingest: warnings (codes in StageResult.warnings)
  FILE_NO_ROWS: { 'zh-CN': '文件只有表头，没有数据行', en: 'The file has a header but no data rows' },
  ROW_NUMBERS_APPROXIMATE: {
    'zh-CN': '无法精确定位源文件行号，行号按记录顺序计算',
    en: 'Source line numbers could not be located exactly; rows are numbered by record order',
  },
  XLSX_TITLE_ROWS_SKIPPED: { 'zh-CN': '已跳过表头上方的标题行', en: 'Title rows above the header were skipped' },
  XLSX_TWO_ROW_HEADER: {
    'zh-CN': '检测到含合并单元格的两行表头，列名按“上级-下级”合成',
    en: 'A two-row header with merged cells was found; column names are "parent-child"',
  },
  XLSX_MERGED_CELLS_FILLED: {
    'zh-CN': '数据区的合并单元格已按左上角的值填充到每一行',
    en: 'Merged cells in the data area were filled with their top-left value on every row',
  },
  PARQUET_BINARY_BASE64: { 'zh-CN': '二进制列已转为 Base64 文本', en: 'Binary columns were converted to Base64 text' },
  // schema and build
  SCHEMA_INVALID: { 'zh-CN': '表结构无效（{field}）：{reason}', en: 'Invalid table schema ({field}): {reason}' },
  SCHEMA_SOURCE_UNKNOWN: {
    'zh-CN': '字段“{field}”对应的源列“{column}”不存在',
    en: 'The source column "{column}" of field "{field}" does not exist',
  },
  ROWS_INVALID: {
    'zh-CN':
      '有 {rows} 行共 {count} 个值不符合表结构（首个：第 {row} 行“{column}”）；未生成版本，请按错误清单修改后重新导入，或选择隔离错误行',
    en: '{rows} rows ({count} values) do not match the schema (first: row {row}, "{column}"); no version was written. Fix them and import again, or quarantine the bad rows',
  },
  // reasons of rows left out by the quarantine policy at staging (codes in StageResult.rejected[].reason)
  ROW_RAGGED: { 'zh-CN': '列数与表头不一致', en: 'The number of columns differs from the header' },
  ROW_UNTERMINATED_QUOTE: { 'zh-CN': '引号没有闭合', en: 'A quote is not closed' },
  ROW_LINE_TOO_LONG: { 'zh-CN': '行过长', en: 'The line is too long' },
  ROW_UNPARSABLE: { 'zh-CN': '无法解析', en: 'Cannot be parsed' },
  ROW_NOT_OBJECT: { 'zh-CN': '不是 JSON 对象', en: 'Not a JSON object' },
  ROW_EXTRA_VALUES: { 'zh-CN': '表头以外的列有值', en: 'A value right of the last header column' },
  // bad-value reasons (codes in BadRow.reason)
  VALUE_REQUIRED: { 'zh-CN': '必填字段为空', en: 'A required value is empty' },
  VALUE_NOT_INTEGER: { 'zh-CN': '不是整数', en: 'Not an integer' },
  VALUE_OVERFLOW: { 'zh-CN': '数值超出类型范围', en: 'The number is out of range for the type' },
  VALUE_NOT_NUMBER: { 'zh-CN': '不是数值', en: 'Not a number' },
  VALUE_NOT_BOOLEAN: { 'zh-CN': '不是布尔值（是/否）', en: 'Not a boolean (yes/no)' },
  VALUE_NOT_DATE: { 'zh-CN': '不是有效日期（或与字段的日期格式不符）', en: "Not a valid date (or not in the field's date format)" },
  VALUE_NOT_DATETIME: { 'zh-CN': '不是有效时间（或与字段的时间格式不符）', en: "Not a valid date-time (or not in the field's format)" },
  // datasets: datasets, ingests, versions, reads (service.ts; refusals of the PDP in entitlements/messages.ts)
  DATASET_NOT_FOUND: { 'zh-CN': '数据集不存在', en: 'Dataset not found' },
  DATASET_NO_VERSION: { 'zh-CN': '该数据集还没有发布的版本', en: 'This dataset has no published version yet' },
  DATASET_ENTITLEMENT_REQUIRED: {
    'zh-CN': '该数据有条件共享或开放，需先提出申请并获得授权后才能读取',
    en: 'This data is shared or opened on conditions: apply for and obtain an entitlement before reading it',
  },
  DATASET_NOT_AVAILABLE: { 'zh-CN': '该数据不予共享或开放', en: 'This data is neither shared nor opened to you' },
  INGEST_NOT_FOUND: { 'zh-CN': '导入任务不存在', en: 'Ingest not found' },
  INGEST_STATE: { 'zh-CN': '导入任务当前状态为 {status}，不能进行该操作', en: 'The ingest is {status}; this step is not possible now' },
  INGEST_INTERRUPTED: {
    'zh-CN': '导入在进行中被中断（服务重启），未产生任何版本，请重新导入',
    en: 'The ingest was interrupted (the server restarted); no version was made. Start it again',
  },
  INGEST_FAILED: { 'zh-CN': '导入失败：{message}', en: 'The ingest failed: {message}' },
  INGEST_SOURCE_UNKNOWN: { 'zh-CN': '未知的数据来源类型：{kind}', en: 'Unknown data source kind: {kind}' },
  QUALITY_GATE: {
    'zh-CN': '质量评分 {score} 低于发布门槛 {threshold}，该版本未发布',
    en: 'Quality score {score} is below the publishing threshold {threshold}; the version was not published',
  },
  VERSION_NOT_FOUND: { 'zh-CN': '版本 {version} 不存在', en: 'Version {version} not found' },
  VERSION_EXPIRED: {
    'zh-CN': '版本 {version} 的文件已按保留规则删除',
    en: 'The file of version {version} was deleted by the retention rule',
  },
  VERSION_IS_CURRENT: { 'zh-CN': '版本 {version} 已是当前版本', en: 'Version {version} is already the current one' },
  DIFF_KEY_INVALID: { 'zh-CN': '比对主键列 {column} 不在两个版本中', en: 'Key column {column} is not in both versions' },
  SCHEMA_FIELD_UNKNOWN: { 'zh-CN': '结构中的来源列 {column} 不在导入的数据中', en: 'Source column {column} is not in the ingested data' },
  SCHEMA_FIELD_NAME: { 'zh-CN': '字段名 {name} 不可用', en: 'Field name {name} is not allowed' },
  SCHEMA_FIELD_DUPLICATE: { 'zh-CN': '字段名 {name} 重复', en: 'Field name {name} appears twice' },
  QUERY_TIMEOUT: {
    'zh-CN': '查询超过 {seconds} 秒未完成，已中止；请缩小条件或分页查询',
    en: 'The query ran longer than {seconds} s and was stopped; narrow it down or page through the data',
  },
};

registerMessages(DATASETS_MESSAGES);
