-- Foundation: the restricted application role and the function that keeps its privileges in line.
-- The server runs queries as shuyuan_app; migrations run as the database owner. Tables whose comment starts
-- with 'APPEND-ONLY' (the ledger) get INSERT and SELECT only: no UPDATE, DELETE or TRUNCATE.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'shuyuan_app') then
    begin
      create role shuyuan_app nologin;
    exception when duplicate_object or unique_violation then
      null; -- created at the same moment by another database of the same server
    end;
  end if;
  execute format('grant shuyuan_app to %I', current_user);
exception when insufficient_privilege then
  raise notice 'cannot create role shuyuan_app (no CREATEROLE); the server will run as %', current_user;
end
$$;

create or replace function shuyuan_apply_grants() returns void language plpgsql as $$
declare
  t record;
begin
  if not exists (select 1 from pg_roles where rolname = 'shuyuan_app') then
    return;
  end if;
  execute 'grant usage on schema public to shuyuan_app';
  execute 'grant select, insert, update, delete on all tables in schema public to shuyuan_app';
  execute 'grant usage, select, update on all sequences in schema public to shuyuan_app';
  execute 'grant execute on all functions in schema public to shuyuan_app';
  for t in
    select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and obj_description(c.oid, 'pg_class') like 'APPEND-ONLY%'
  loop
    execute format('revoke update, delete, truncate on table public.%I from shuyuan_app, public', t.relname);
  end loop;
end
$$;

-- Refuses UPDATE/DELETE/TRUNCATE on append-only tables, whoever asks (a second line of defence after grants).
create or replace function shuyuan_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'table % is append-only: % refused', tg_table_name, tg_op using errcode = 'insufficient_privilege';
end
$$;
