// The database's tables as Kysely sees them. Each module declares its own tables in its repository.ts
// and they are joined here; modules still only query their own tables.
import type { IdentityTables } from '../modules/identity/repository.ts';
import type { LedgerTables } from '../modules/ledger/repository.ts';
import type { JobsTables } from '../modules/jobs/repository.ts';
import type { CatalogTables } from '../modules/catalog/repository.ts';
import type { ElementsTables } from '../modules/elements/repository.ts';
import type { RegistrationTables } from '../modules/registration/repository.ts';
import type { SearchTables } from '../modules/search/repository.ts';

export interface DB extends IdentityTables, LedgerTables, JobsTables, CatalogTables, ElementsTables, RegistrationTables, SearchTables {}
