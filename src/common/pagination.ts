import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { badRequest } from './errors.js';
import { isUuid } from './ids.js';
import { parseInstant } from './instant.js';
import { CURSOR_MAX_LENGTH, PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from './limits.js';

/** `limit` (default 50, at most 200) and an opaque `cursor`, as every list route takes them. */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: PAGE_LIMIT_MAX, default: PAGE_LIMIT_DEFAULT, description: 'Page size.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_LIMIT_MAX)
  limit?: number;

  @ApiPropertyOptional({ maxLength: CURSOR_MAX_LENGTH, description: 'The `nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(CURSOR_MAX_LENGTH)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const DEFAULT_PAGE_LIMIT = PAGE_LIMIT_DEFAULT;

/** The same page with each item mapped (a repository's rows to a route's views); the cursor is kept. */
export function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { items: page.items.map(map), nextCursor: page.nextCursor };
}

/** Keyset position: the sort timestamp and id of the last item of the previous page. */
export interface CursorKey {
  at: Date;
  id: string;
}

const MAC_BYTES = 16;
const NOT_OURS = 'cursor: is not a cursor this API returned';

/**
 * Cursors are `<position>.<mac>`: the position (sort timestamp and id of the last item) as
 * base64url JSON, and an HMAC over it and the list it belongs to. Only the server can make one,
 * so a crafted, edited or truncated cursor, or one issued for another list (another tenant's,
 * another contact's), is refused with a 400 before it reaches a query. The position is still
 * validated strictly, as a second line of defence. The key is derived from SECRETS_KEY (HKDF),
 * so the encryption key itself signs nothing; rotating SECRETS_KEY invalidates open cursors.
 */
export class CursorCodec {
  private readonly key: Buffer;

  constructor(secretsKey: Buffer) {
    this.key = Buffer.from(hkdfSync('sha256', secretsKey, Buffer.alloc(0), 'mara:page-cursor:v1', 32));
  }

  private mac(scope: string, position: string): Buffer {
    return createHmac('sha256', this.key).update(`${scope}\n${position}`).digest().subarray(0, MAC_BYTES);
  }

  encode(scope: string, key: CursorKey): string {
    const position = Buffer.from(JSON.stringify([key.at.toISOString(), key.id])).toString('base64url');
    return `${position}.${this.mac(scope, position).toString('base64url')}`;
  }

  /** The position of a cursor this server issued for `scope`; anything else is a 400 naming `cursor`. */
  decode(scope: string, cursor: string): CursorKey {
    const match = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{22})$/.exec(cursor);
    if (!match) throw badRequest(NOT_OURS);
    const [, position, mac] = match;
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== MAC_BYTES || !timingSafeEqual(given, this.mac(scope, position))) throw badRequest(NOT_OURS);
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(position, 'base64url').toString('utf8'));
    } catch {
      throw badRequest(NOT_OURS);
    }
    if (!Array.isArray(parsed) || parsed.length !== 2) throw badRequest(NOT_OURS);
    const at = parseInstant(parsed[0]);
    if (!at || !isUuid(parsed[1])) throw badRequest(NOT_OURS);
    return { at, id: parsed[1].toLowerCase() };
  }
}

/** How one list is ordered and keyed: `ORDER BY <alias>.<column> <order>, <alias>.id <order>`. */
export interface KeysetSpec<R> {
  /**
   * The list a cursor belongs to, e.g. `contacts:<tenantId>`: a cursor only works on the list
   * (and with the same path ids) it was issued for.
   */
  scope: string;
  /** The query builder's alias of the listed table. */
  alias: string;
  /** The timestamp column the list is sorted on (the id breaks ties). */
  column: string;
  order: 'ASC' | 'DESC';
  /** The sort timestamp of a row (the entity property of `column`). */
  at(row: R): Date;
  /** The row's uuid primary key (`<alias>.id`). */
  id(row: R): string;
}

/**
 * The one keyset pagination of every list route: ordering, the `limit + 1` probe, the keyset
 * condition of the cursor, and signed `nextCursor`s. A list adds its own conditions to the query
 * builder and hands it here.
 */
@Injectable()
export class Paginator {
  private readonly codec: CursorCodec;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.codec = new CursorCodec(config.secretsKey);
  }

  async page<R extends ObjectLiteral, T>(
    qb: SelectQueryBuilder<R>,
    query: PageQueryDto,
    spec: KeysetSpec<R>,
    map: (row: R) => T,
  ): Promise<Page<T>> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const after = query.cursor === undefined || query.cursor === '' ? null : this.codec.decode(spec.scope, query.cursor);
    const { alias, column, order } = spec;
    qb.orderBy(`${alias}.${column}`, order).addOrderBy(`${alias}.id`, order).limit(limit + 1);
    if (after) {
      qb.andWhere(`(${alias}.${column}, ${alias}.id) ${order === 'ASC' ? '>' : '<'} (:cursorAt, :cursorId)`, {
        cursorAt: after.at,
        cursorId: after.id,
      });
    }
    const rows = await qb.getMany();
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    const last = items[items.length - 1];
    return {
      items: items.map(map),
      nextCursor: more ? this.codec.encode(spec.scope, { at: spec.at(last), id: spec.id(last) }) : null,
    };
  }
}

/** Provides the Paginator to every module (it needs only the config). */
@Global()
@Module({ providers: [Paginator], exports: [Paginator] })
export class PaginationModule {}
