// The services of one running platform, created once and passed to routes, jobs and the CLI.
// Modules talk to each other only through these services (DESIGN.md, layout).
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Database, Db } from './db/database.ts';
import { LedgerService } from './modules/ledger/service.ts';
import { IdentityService } from './modules/identity/service.ts';
import { Authorizer } from './modules/identity/authorize.ts';
import { JobsService } from './modules/jobs/service.ts';
import { CalendarService } from './modules/jobs/calendar.ts';
import { NotificationService } from './modules/jobs/notifications.ts';
import { CatalogService } from './modules/catalog/service.ts';
import { ElementsService } from './modules/elements/service.ts';
import { RegistrationService } from './modules/registration/service.ts';
import { SearchService } from './modules/search/service.ts';
import { SourcesService } from './modules/sources/service.ts';
import { createObjectStore, type ObjectStore } from './storage/objectstore.ts';
import { UploadsService } from './modules/uploads/service.ts';
import { DatasetsService } from './modules/datasets/service.ts';
import { EntitlementsService } from './modules/entitlements/service.ts';
import { GatewayService } from './modules/gateway/service.ts';
import { ExtractScheduleService } from './modules/gateway/schedules.ts';
import { SharingService } from './modules/sharing/service.ts';
import { FederationService } from './modules/federation/service.ts';
import { OpenApplyService } from './modules/openapply/service.ts';
import { FeedbackService } from './modules/feedback/service.ts';
import { HarvestService } from './modules/harvest/service.ts';
import { OpennessService } from './modules/openness/service.ts';

export type { Logger };

export interface AppContext {
  config: Config;
  database: Database;
  db: Db;
  log: Logger;
  ledger: LedgerService;
  authz: Authorizer;
  identity: IdentityService;
  jobs: JobsService;
  calendar: CalendarService;
  notifications: NotificationService;
  // Domain modules get the whole context (they call each other's services through it).
  catalog: CatalogService;
  elements: ElementsService;
  registration: RegistrationService;
  search: SearchService;
  sources: SourcesService;
  objects: ObjectStore;
  uploads: UploadsService;
  datasets: DatasetsService;
  entitlements: EntitlementsService;
  gateway: GatewayService;
  extractSchedules: ExtractScheduleService;
  sharing: SharingService;
  federation: FederationService;
  openApply: OpenApplyService;
  feedback: FeedbackService;
  harvest: HarvestService;
  openness: OpennessService;
}

export function createContext(config: Config, database: Database, log: Logger): AppContext {
  const db = database.db;
  // One line per service; each module owns its own line.
  const jobs = new JobsService(database, config, log);
  const ledger = new LedgerService(db, config, log, jobs, database);
  const authz = new Authorizer(db);
  const calendar = new CalendarService(db, ledger);
  const notifications = new NotificationService(db, config, log, jobs, ledger);
  const identity = new IdentityService(db, config, ledger, authz, log);
  const ctx = { config, database, db, log, ledger, authz, identity, jobs, calendar, notifications } as AppContext;
  ctx.catalog = new CatalogService(ctx);
  ctx.elements = new ElementsService(ctx);
  ctx.registration = new RegistrationService(ctx);
  ctx.search = new SearchService(ctx);
  ctx.sources = new SourcesService(ctx);
  ctx.objects = createObjectStore(config);
  ctx.uploads = new UploadsService(ctx);
  ctx.entitlements = new EntitlementsService(ctx);
  ctx.datasets = new DatasetsService(ctx);
  ctx.gateway = new GatewayService(ctx);
  ctx.extractSchedules = new ExtractScheduleService(ctx);
  ctx.sharing = new SharingService(ctx);
  ctx.federation = new FederationService(ctx);
  ctx.openApply = new OpenApplyService(ctx);
  ctx.feedback = new FeedbackService(ctx);
  ctx.harvest = new HarvestService(ctx);
  ctx.openness = new OpennessService(ctx);
  return ctx;
}
