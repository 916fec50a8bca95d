/**
 * `RUN --mount=...` with BuildKit's rules (instructions/commands_runmount.go
 * plus the defaults dispatch fills in): CSV fields, key aliases, per-type
 * validation, read-only defaults, and variable expansion of every value.
 */
import { withSuggestion } from '../common/suggest.js';
import type { Mount, MountType } from './types.js';
import { csvFields, parseRamBytes } from './values.js';

const MOUNT_TYPES: readonly MountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const SHARING = ['shared', 'private', 'locked'] as const;
const ALL_KEYS = [
  'type',
  'from',
  'source',
  'target',
  'readonly',
  'id',
  'sharing',
  'required',
  'size',
  'mode',
  'uid',
  'gid',
  'src',
  'dst',
  'destination',
  'ro',
  'rw',
  'readwrite',
  'env',
];

export type MountOutcome = { ok: true; mount: Mount } | { ok: false; error: string };

/** Go's strconv.ParseBool. */
function parseBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

function parseUint(v: string, base: 8 | 10): number | undefined {
  const re = base === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!re.test(v)) return undefined;
  const n = parseInt(v, base);
  return n <= 0xffffffff ? n : undefined;
}

export function parseMount(spec: string, expand: (word: string) => string | { error: string }): MountOutcome {
  const csv = csvFields(spec);
  if (!csv.ok) return { ok: false, error: `failed to parse csv mounts: ${csv.error}` };
  const m: Mount = { type: 'bind', readOnly: true, required: false };
  let roAuto = true;
  for (const field of csv.fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') {
        m.readOnly = true;
        roAuto = false;
      } else if (key === 'readwrite' || key === 'rw') {
        m.readOnly = false;
        roAuto = false;
      } else if (key === 'required') {
        if (m.type !== 'secret' && m.type !== 'ssh')
          return { ok: false, error: `unexpected key '${key}' for mount type '${m.type}'` };
        m.required = true;
      } else {
        return { ok: false, error: `invalid field '${field}' must be a key=value pair` };
      }
      continue;
    }
    const rawValue = field.slice(eq + 1);
    if (key === 'from' && /\$./.test(rawValue)) {
      return { ok: false, error: `'${key}' doesn't support variable expansion, define alias stage instead` };
    }
    const expanded = expand(rawValue);
    if (typeof expanded !== 'string') return { ok: false, error: expanded.error };
    const value = expanded;
    switch (key) {
      case 'type': {
        const t = value.toLowerCase() as MountType;
        if (!MOUNT_TYPES.includes(t))
          return {
            ok: false,
            error: withSuggestion(`unsupported mount type ${JSON.stringify(value)}`, value, MOUNT_TYPES),
          };
        m.type = t;
        break;
      }
      case 'from':
        m.from = value;
        break;
      case 'source':
      case 'src':
        m.source = value;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.target = value;
        break;
      case 'readonly':
      case 'ro':
      case 'readwrite':
      case 'rw': {
        const b = parseBool(value);
        if (b === undefined) return { ok: false, error: `invalid value for ${key}: ${value}` };
        m.readOnly = key === 'readonly' || key === 'ro' ? b : !b;
        roAuto = false;
        break;
      }
      case 'required': {
        if (m.type !== 'secret' && m.type !== 'ssh')
          return { ok: false, error: `unexpected key '${key}' for mount type '${m.type}'` };
        const b = parseBool(value);
        if (b === undefined) return { ok: false, error: `invalid value for ${key}: ${value}` };
        m.required = b;
        break;
      }
      case 'size': {
        if (m.type !== 'tmpfs') return { ok: false, error: `unexpected key '${key}' for mount type '${m.type}'` };
        const size = parseRamBytes(value);
        if (size === undefined) return { ok: false, error: `invalid value for ${key}: ${value}` };
        m.sizeLimit = size;
        break;
      }
      case 'id':
        m.id = value;
        break;
      case 'sharing': {
        const s = value.toLowerCase();
        if (!(SHARING as readonly string[]).includes(s))
          return {
            ok: false,
            error: withSuggestion(`unsupported sharing value ${JSON.stringify(value)}`, value, SHARING),
          };
        m.sharing = s as Mount['sharing'];
        break;
      }
      case 'mode': {
        const mode = parseUint(value, 8);
        if (mode === undefined) return { ok: false, error: `invalid value ${value} for mode` };
        m.mode = mode;
        break;
      }
      case 'uid':
      case 'gid': {
        const id = parseUint(value, 10);
        if (id === undefined) return { ok: false, error: `invalid value ${value} for ${key}` };
        m[key] = id;
        break;
      }
      case 'env':
        m.env = value;
        break;
      default:
        return { ok: false, error: withSuggestion(`unexpected key '${key}' in '${field}'`, key, ALL_KEYS) };
    }
  }
  const fileInfoAllowed = m.type === 'secret' || m.type === 'ssh' || m.type === 'cache';
  if (!fileInfoAllowed) {
    for (const k of ['mode', 'uid', 'gid'] as const) {
      if (m[k] !== undefined) return { ok: false, error: `${k} not allowed for ${JSON.stringify(m.type)} type mounts` };
    }
  }
  if (roAuto) m.readOnly = !(m.type === 'cache' || m.type === 'tmpfs');
  if (m.type === 'secret') {
    if (m.from !== undefined) return { ok: false, error: 'secret mount should not have a from' };
    if (m.sharing !== undefined) return { ok: false, error: 'secret mount should not define sharing' };
    if (!m.source && !m.target && !m.id)
      return { ok: false, error: 'invalid secret mount. one of source, target required' };
    if (m.source && m.id) return { ok: false, error: "both source and id can't be set" };
  }
  if (m.sharing !== undefined && m.type !== 'cache')
    return { ok: false, error: `invalid cache sharing set for ${m.type} mount` };
  applyDefaults(m);
  return { ok: true, mount: m };
}

/** Defaults BuildKit fills in at dispatch (dockerfile2llb/convert_runmount.go). */
function applyDefaults(m: Mount): void {
  if (m.type === 'secret') {
    // A secret's id defaults to the target's base name; its target to /run/secrets/<id>.
    if (!m.id) m.id = m.source ?? (m.target ? m.target.split('/').filter(Boolean).pop() : undefined);
    if (!m.target && m.id) m.target = `/run/secrets/${m.id}`;
  } else if (m.type === 'ssh') {
    if (!m.id) m.id = 'default';
  } else if (m.type === 'cache') {
    if (!m.id && m.target) m.id = m.target;
    if (!m.sharing) m.sharing = 'shared';
  }
}
