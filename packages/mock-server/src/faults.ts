import { type DialectName, isDialectName } from './clients.js';

/** Which requests a fault applies to. */
export interface FaultMatch {
  /** `token`: the four token routes; `api`: `/api/me`; `any`: both (never `/__mock/*`). */
  readonly route?: 'token' | 'api' | 'any';
  /** Only this dialect (on `api`, the dialect of the bearer token when the server issued it). */
  readonly dialect?: DialectName;
  /** Only token requests with this grant_type. */
  readonly grant?: 'refresh_token' | 'password';
  /** How many matching requests it applies to; default 1. */
  readonly count?: number;
}

/** Answer with this status, without processing the request (nothing is committed). */
export interface StatusFault extends FaultMatch {
  /** The HTTP status, 400 to 599. */
  readonly status: number;
  /** Seconds, sent as `Retry-After`. */
  readonly retryAfter?: number;
  /** The OAuth `error` code in the body; default derived from the status. */
  readonly error?: string;
  /** `route` (default): the route's own error shape; `plain`: `{"error":...,"status":N}`. */
  readonly body?: 'route' | 'plain';
}

/** Wait before processing; a client that disconnects meanwhile is dropped unprocessed. */
export interface LatencyFault extends FaultMatch {
  /** How long, 0 to 120 000 ms. */
  readonly latencyMs: number;
}

/** Answer a broken body instead of processing the request (nothing is committed). */
export interface MalformedFault extends FaultMatch {
  /** An nginx HTML page, an empty body, half a JSON body, or the right keys with wrong types. */
  readonly malformed: 'html' | 'empty' | 'truncated' | 'wrong-types';
  /** HTTP status of the broken answer; default 200. */
  readonly status?: number;
}

/** Process (commit) the request, then destroy the connection without answering. */
export interface DropFault extends FaultMatch {
  /** Always `true`. */
  readonly dropAfterCommit: true;
}

/** One fault to inject: which requests it matches, and what it does to them. */
export type FaultSpec = StatusFault | LatencyFault | MalformedFault | DropFault;

/** A queued fault, as `GET /__mock/faults` lists it. */
export type PendingFault = FaultSpec & { readonly id: number; readonly remaining: number };

/** What a request looks like to the fault matcher. */
export interface RequestTraits {
  readonly route: 'token' | 'api';
  readonly dialect: DialectName | undefined;
  readonly grant: string | undefined;
}

const MATCH_KEYS = ['route', 'dialect', 'grant', 'count'];
const KIND_KEYS: Record<string, readonly string[]> = {
  status: ['status', 'retryAfter', 'error', 'body'],
  latencyMs: ['latencyMs'],
  malformed: ['malformed', 'status'],
  dropAfterCommit: ['dropAfterCommit'],
};

/**
 * Checks an untrusted fault spec (from JSON). Strict about unknown keys so that a typo in a
 * test's fault fails loudly instead of silently injecting nothing.
 */
export function parseFaultSpec(input: unknown): FaultSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError('a fault is a JSON object');
  }
  const spec = input as Record<string, unknown>;
  const kind = ['malformed', 'dropAfterCommit', 'latencyMs', 'status'].find((k) => k in spec);
  if (kind === undefined) {
    throw new TypeError('a fault needs one of: status, latencyMs, malformed, dropAfterCommit');
  }
  const allowed = new Set([...MATCH_KEYS, ...(KIND_KEYS[kind] ?? [])]);
  for (const key of Object.keys(spec)) {
    if (!allowed.has(key)) throw new TypeError(`unknown or conflicting fault key: ${key}`);
  }
  const match = parseMatch(spec, kind === 'malformed' || kind === 'dropAfterCommit');
  switch (kind) {
    case 'status': {
      const fault: StatusFault = { ...match, status: int(spec.status, 'status', 400, 599) };
      return {
        ...fault,
        ...(spec.retryAfter !== undefined && {
          retryAfter: int(spec.retryAfter, 'retryAfter', 0, 86_400),
        }),
        ...(spec.error !== undefined && { error: errorCode(spec.error) }),
        ...(spec.body !== undefined && { body: oneOf(spec.body, 'body', ['route', 'plain']) }),
      };
    }
    case 'latencyMs':
      return { ...match, latencyMs: int(spec.latencyMs, 'latencyMs', 0, 120_000) };
    case 'malformed':
      return {
        ...match,
        malformed: oneOf(spec.malformed, 'malformed', [
          'html',
          'empty',
          'truncated',
          'wrong-types',
        ]),
        ...(spec.status !== undefined && { status: int(spec.status, 'status', 200, 599) }),
      };
    default:
      if (spec.dropAfterCommit !== true) throw new TypeError('dropAfterCommit must be true');
      return { ...match, dropAfterCommit: true };
  }
}

function parseMatch(spec: Record<string, unknown>, tokenByDefault: boolean): FaultMatch {
  // Malformed bodies and dropped commits are about token answers; the rest apply anywhere.
  const route = oneOf(spec.route ?? (tokenByDefault ? 'token' : 'any'), 'route', [
    'token',
    'api',
    'any',
  ]);
  const match: { -readonly [K in keyof FaultMatch]: FaultMatch[K] } = {
    route,
    count: spec.count === undefined ? 1 : int(spec.count, 'count', 1, 1_000_000_000),
  };
  if (spec.dialect !== undefined) {
    if (!isDialectName(spec.dialect)) throw new TypeError('dialect: ciam, eiam, uaa or chatroom');
    match.dialect = spec.dialect;
  }
  if (spec.grant !== undefined)
    match.grant = oneOf(spec.grant, 'grant', ['refresh_token', 'password']);
  return match;
}

function int(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${name}: an integer from ${min} to ${max}`);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, name: string, options: readonly T[]): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
    throw new TypeError(`${name}: one of ${options.join(', ')}`);
  }
  return value as T;
}

function errorCode(value: unknown): string {
  if (typeof value !== 'string' || !/^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(value)) {
    throw new TypeError('error: a short printable OAuth error code');
  }
  return value;
}

export function isLatency(f: FaultSpec): f is LatencyFault {
  return 'latencyMs' in f;
}

/** The queue of pending faults; each applies to its next `count` matching requests. */
export class FaultQueue {
  #pending: { id: number; spec: FaultSpec; remaining: number }[] = [];
  #nextId = 1;

  add(spec: FaultSpec): PendingFault {
    const entry = { id: this.#nextId++, spec, remaining: spec.count ?? 1 };
    this.#pending.push(entry);
    return { ...entry.spec, id: entry.id, remaining: entry.remaining };
  }

  /** Takes (and counts down) the first pending latency fault matching the request. */
  takeLatency(traits: RequestTraits): LatencyFault | undefined {
    const spec = this.#take(traits, true);
    return spec !== undefined && isLatency(spec) ? spec : undefined;
  }

  /** Takes the first pending fault that changes the answer (status, malformed, drop). */
  takeOutcome(traits: RequestTraits): Exclude<FaultSpec, LatencyFault> | undefined {
    const spec = this.#take(traits, false);
    return spec !== undefined && !isLatency(spec) ? spec : undefined;
  }

  list(): PendingFault[] {
    return this.#pending.map((e) => ({ ...e.spec, id: e.id, remaining: e.remaining }));
  }

  clear(): void {
    this.#pending = [];
  }

  #take(traits: RequestTraits, latency: boolean): FaultSpec | undefined {
    const index = this.#pending.findIndex(
      (e) => isLatency(e.spec) === latency && matches(e.spec, traits),
    );
    const entry = this.#pending[index];
    if (entry === undefined) return undefined;
    if (--entry.remaining <= 0) this.#pending.splice(index, 1);
    return entry.spec;
  }
}

function matches(spec: FaultSpec, traits: RequestTraits): boolean {
  if (spec.route !== undefined && spec.route !== 'any' && spec.route !== traits.route) return false;
  if (spec.dialect !== undefined && spec.dialect !== traits.dialect) return false;
  if (spec.grant !== undefined && spec.grant !== traits.grant) return false;
  return true;
}
