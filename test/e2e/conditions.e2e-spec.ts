import { fieldConditionHolds, triggerPaths, type ConditionSubject } from '../../src/journeys/conditions.js';
import type { Condition, ConditionValue } from '../../src/journeys/dto/journey.dto.js';
import type { Fields } from '../../src/journeys/template.js';
import { CompiledTriggerConditions1796168509294 } from '../../migrations/1796168509294-CompiledTriggerConditions.js';
import { CheapConditionsFirst1796194550189 } from '../../migrations/1796194550189-CheapConditionsFirst.js';
import { specApi } from '../support/api.js';
import { bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';

/**
 * The two evaluators of a condition agree (docs/journeys.md#conditions): the SQL/JSON paths that
 * the enrollment statement judges in PostgreSQL (conditions.ts `triggerPaths`) and the code that
 * judges branches and the why-not route (`fieldConditionHolds`), over every op, field form and
 * value type, including missing and null fields, arrays and objects, mixed types, code-point
 * order and keys that need quoting.
 */
describe('trigger conditions: the compiled paths and the code agree', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  const { admin } = specApi(() => t, () => tenant);
  beforeAll(async () => {
    t = await bootApp();
    await resetDatabase(t.db);
    tenant = await createTenant(t);
  });
  afterAll(() => t.close());

  const ops = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists', 'not_exists'] as const;
  const values: ConditionValue[] = ['abc', 'b', '', 'é', 'ABC', '5', 5, 4.5, -1, 0, true, false];
  const fieldValues: Array<Fields[string] | undefined> = [
    undefined, null, 'abc', 'xabcx', 'ABC', 'é', 'z', '', '5', 5, 5.0, 10, -1, 0, 4.5, true, false,
    ['abc'] as unknown as Fields[string], { a: 1 } as unknown as Fields[string],
  ];
  const keys = ['plan', 'we"ird\\key', 'a.b', 'ключ'];

  interface Case { condition: Condition; subject: ConditionSubject }
  function cases(): Case[] {
    const out: Case[] = [];
    for (const op of ops) {
      const opValues: Array<ConditionValue | undefined> = op === 'exists' || op === 'not_exists' ? [undefined] : op === 'contains' ? values.filter((v) => typeof v === 'string') : values;
      for (const value of opValues) {
        for (const fv of fieldValues) {
          for (const key of keys) {
            const props: Fields = fv === undefined ? { other: 1 } : { [key]: fv, other: 1 };
            out.push({ condition: { field: `event.properties.${key}`, op, value }, subject: { contact: { name: null, email: null, attributes: {} }, event: { properties: props } } });
            out.push({ condition: { field: `contact.attributes.${key}`, op, value }, subject: { contact: { name: null, email: null, attributes: props }, event: { properties: {} } } });
          }
          if (fv === undefined || fv === null || typeof fv === 'string') {
            const s = (fv ?? null) as string | null;
            out.push({ condition: { field: 'contact.email', op, value }, subject: { contact: { name: null, email: s, attributes: {} }, event: { properties: {} } } });
            out.push({ condition: { field: 'contact.name', op, value }, subject: { contact: { name: s, email: null, attributes: {} }, event: { properties: {} } } });
          }
        }
      }
    }
    return out;
  }

  /** What PostgreSQL answers for each journey `where` on each subject, evaluated as the enrollment statement does. */
  async function inSql(items: Array<{ where: Condition[]; subject: ConditionSubject }>): Promise<boolean[]> {
    const compiled = items.map((i) => triggerPaths(i.where));
    const rows: Array<{ n: string; holds: boolean }> = await t.db.query(
      `SELECT u.n, (u.event_path IS NULL OR jsonb_path_exists(u.props, u.event_path::jsonpath, u.vars, true))
                AND (u.contact_path IS NULL OR jsonb_path_exists(u.attributes, u.contact_path::jsonpath,
                       u.vars || jsonb_build_object('email', u.email, 'name', u.name), true)) AS holds
         FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[], $5::jsonb[], $6::text[], $7::text[])
              WITH ORDINALITY AS u(event_path, contact_path, vars, props, attributes, email, name, n)
        ORDER BY u.n`,
      [
        compiled.map((c) => c.eventPath),
        compiled.map((c) => c.contactPath),
        compiled.map((c) => JSON.stringify(c.vars)),
        items.map((i) => JSON.stringify(i.subject.event?.properties ?? {})),
        items.map((i) => JSON.stringify(i.subject.contact.attributes)),
        items.map((i) => i.subject.contact.email),
        items.map((i) => i.subject.contact.name),
      ],
    );
    return rows.map((r) => r.holds);
  }

  it('every single condition: the same answer in PostgreSQL as in code', async () => {
    const all = cases();
    expect(all.length).toBeGreaterThan(2000);
    const sql = await inSql(all.map((c) => ({ where: [c.condition], subject: c.subject })));
    const disagreements = all
      .map((c, i) => ({ ...c, code: fieldConditionHolds(c.condition as Extract<Condition, { field: string }>, c.subject), sql: sql[i] }))
      .filter((d) => d.code !== d.sql)
      .map((d) => `${JSON.stringify(d.condition)} on ${JSON.stringify(d.subject)}: code ${d.code}, sql ${d.sql}`);
    expect(disagreements).toEqual([]);
    // Both answers occur, for every op: the comparison is not between two constants.
    for (const op of ops) {
      const mine = all.map((c, i) => ({ op: c.condition.op, sql: sql[i] })).filter((x) => x.op === op);
      expect(new Set(mine.map((x) => x.sql))).toEqual(new Set([true, false]));
    }
  });

  it('several conditions hold together only when each holds, across the event and the contact', async () => {
    const subject: ConditionSubject = {
      contact: { name: 'Ada', email: 'ada@example.com', attributes: { plan: 'trial', seats: 3 } },
      event: { properties: { rows: 1200, format: 'csv' } },
    };
    const holds: Condition[] = [
      { field: 'event.properties.rows', op: 'gt', value: 1000 },
      { field: 'contact.attributes.plan', op: 'eq', value: 'trial' },
      { field: 'contact.email', op: 'contains', value: '@example.' },
      { field: 'contact.name', op: 'exists' },
      { field: 'event.properties.format', op: 'neq', value: 'pdf' },
    ];
    const fails: Condition = { field: 'contact.attributes.seats', op: 'lt', value: 2 };
    const answers = await inSql([
      { where: holds, subject },
      { where: [...holds, fails], subject },
      { where: [fails, ...holds], subject },
      { where: [holds[0], { field: 'event.properties.rows', op: 'lt', value: 1000 }], subject },
      { where: [], subject },
    ]);
    expect(answers).toEqual([true, false, false, false, true]);
    expect(triggerPaths([])).toEqual({ eventPath: null, contactPath: null, vars: {} });
    // Values are variables, never path text: a value that looks like jsonpath stays a value.
    const tricky = triggerPaths([{ field: 'contact.attributes.plan', op: 'eq', value: '") || (1 == 1' }]);
    expect(tricky.contactPath).not.toContain('1 == 1');
    expect(tricky.vars).toEqual({ v0: '") || (1 == 1' });
    // A `contains` (like_regex) goes last on its side, wherever it stands in `where`.
    const contains = triggerPaths([
      { field: 'contact.email', op: 'contains', value: '@bench.test' },
      { field: 'contact.attributes.plan', op: 'eq', value: 'trial' },
    ]).contactPath!;
    expect(contains.indexOf('like_regex')).toBeGreaterThan(contains.indexOf('"plan"'));
  });

  it('the second migration compiles stored paths again with `contains` last, answering as before', async () => {
    const where = [
      { field: 'contact.email', op: 'contains', value: '@example.com' },
      { field: 'contact.attributes.plan', op: 'eq', value: 'trial' },
    ];
    const created = await admin('post', '/journeys')
      .send({ name: 'contains', trigger: { type: 'event', eventType: 'report.exported', where }, steps: [{ type: 'wait', seconds: 60 }] })
      .expect(201);
    const runner = t.db.createQueryRunner();
    await runner.startTransaction();
    try {
      // As the first compiler wrote it: the conditions in their order in `where`.
      await runner.query(
        `UPDATE journeys SET trigger_contact_path = '$ ? (($email.type() == "string" && $email like_regex "@example.com" flag "q") && (@."plan".type() == "string" && @."plan" == $v0))'
          WHERE id = $1`,
        [created.body.id],
      );
      await new CheapConditionsFirst1796194550189().up(runner);
      const [row] = await runner.query(`SELECT trigger_contact_path::text AS contact, trigger_vars AS vars FROM journeys WHERE id = $1`, [created.body.id]);
      const compiled = triggerPaths(where as Condition[]);
      expect(row.vars).toEqual(compiled.vars);
      expect(row.contact.indexOf('like_regex')).toBeGreaterThan(row.contact.indexOf('"plan"'));
      const [answers] = await runner.query(
        `SELECT jsonb_path_exists('{"plan": "trial"}'::jsonb, trigger_contact_path, trigger_vars || '{"email": "a@example.com", "name": null}'::jsonb, true) AS yes,
                jsonb_path_exists('{"plan": "pro"}'::jsonb, trigger_contact_path, trigger_vars || '{"email": "a@example.com", "name": null}'::jsonb, true) AS no
           FROM journeys WHERE id = $1`,
        [created.body.id],
      );
      expect(answers).toEqual({ yes: true, no: false });
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('a journey stores its compiled conditions when written and edited, and the migration compiles those of existing journeys alike', async () => {
    const where = [
      { field: 'event.properties.rows', op: 'gte', value: 10 },
      { field: 'contact.attributes.plan', op: 'eq', value: 'trial' },
    ];
    const created = await admin('post', '/journeys')
      .send({ name: 'filtered', trigger: { type: 'event', eventType: 'report.exported', where }, steps: [{ type: 'wait', seconds: 60 }] })
      .expect(201);
    const stored = async () =>
      (
        await t.db.query(
          `SELECT trigger_event_path::text AS event, trigger_contact_path::text AS contact, trigger_vars AS vars FROM journeys WHERE id = $1`,
          [created.body.id],
        )
      )[0] as { event: string | null; contact: string | null; vars: Record<string, unknown> };
    const written = await stored();
    expect(written.event).toContain('"rows"');
    expect(written.contact).toContain('"plan"');
    expect(written.vars).toEqual({ v0: 10, v1: 'trial' });

    await admin('patch', `/journeys/${created.body.id}`).send({ trigger: { type: 'event', eventType: 'report.exported', where: [where[1]] } }).expect(200);
    const edited = await stored();
    expect(edited).toEqual({ event: null, contact: expect.stringContaining('"plan"'), vars: { v0: 'trial' } });

    // The migration, run again over the table as it stood before it (columns dropped, so no
    // journey has a compiled form), in a transaction that is then rolled back.
    const migration = new CompiledTriggerConditions1796168509294();
    const runner = t.db.createQueryRunner();
    await runner.startTransaction();
    try {
      await migration.down(runner);
      await migration.up(runner);
      const [again] = await runner.query(
        `SELECT trigger_event_path::text AS event, trigger_contact_path::text AS contact, trigger_vars AS vars FROM journeys WHERE id = $1`,
        [created.body.id],
      );
      expect(again).toEqual(edited);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
