/**
 * Where the Docker Engine API is, decided the way the docker CLI decides it:
 * DOCKER_HOST (unix://, tcp://, ssh://, or host:port), DOCKER_TLS_VERIFY /
 * DOCKER_TLS / DOCKER_CERT_PATH for TLS, else the local unix socket. Kept
 * apart from the engine so the "where did we try" part of an error message
 * and the connection options can never disagree.
 */
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type Dockerode from 'dockerode';
import { UserError } from '../../common/diagnostics.js';
import { ENGINE_EXIT_CODE } from '../types.js';

export interface Endpoint {
  /** As DOCKER_HOST would say it: unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host. */
  url: string;
  /** Where the address came from, for messages. */
  source: 'DOCKER_HOST' | 'default';
  /** The engine shares this machine's file system (a unix socket): host paths can be bind-mounted. */
  local: boolean;
  options: Dockerode.DockerOptions & { agent?: https.Agent };
}

const DEFAULT_SOCKET = '/var/run/docker.sock';

export function resolveEndpoint(env: NodeJS.ProcessEnv = process.env): Endpoint {
  const host = env.DOCKER_HOST?.trim();
  if (!host) {
    // Docker Desktop's per-user socket is used only when the system one is absent, as the CLI's context does.
    const userSocket = path.join(os.homedir(), '.docker', 'run', 'docker.sock');
    const socketPath = !existsSync(DEFAULT_SOCKET) && existsSync(userSocket) ? userSocket : DEFAULT_SOCKET;
    return { url: `unix://${socketPath}`, source: 'default', local: true, options: { socketPath } };
  }
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length) || DEFAULT_SOCKET;
    return { url: `unix://${socketPath}`, source: 'DOCKER_HOST', local: true, options: { socketPath } };
  }
  if (host.startsWith('npipe://')) {
    const socketPath = host.slice('npipe://'.length) || '//./pipe/docker_engine';
    return { url: host, source: 'DOCKER_HOST', local: true, options: { socketPath } };
  }
  let parsed: URL;
  try {
    parsed = new URL(host.includes('://') ? host : `tcp://${host}`);
  } catch {
    throw new UserError(
      `DOCKER_HOST=${host} is not an address: use unix:///path/to/socket, tcp://host:port or ssh://user@host`,
      ENGINE_EXIT_CODE,
    );
  }
  if (parsed.protocol === 'ssh:') {
    return {
      url: host,
      source: 'DOCKER_HOST',
      local: false,
      options: {
        protocol: 'ssh',
        host: parsed.hostname,
        port: parsed.port || '22',
        ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
        ...(env.SSH_AUTH_SOCK ? { sshOptions: { agent: env.SSH_AUTH_SOCK } } : {}),
      },
    };
  }
  if (parsed.protocol !== 'tcp:' && parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UserError(
      `DOCKER_HOST=${host}: unsupported scheme ${parsed.protocol.replace(/:$/, '')}://`,
      ENGINE_EXIT_CODE,
    );
  }
  // The CLI treats any non-empty DOCKER_TLS_VERIFY as "verify", and DOCKER_TLS as "TLS without verifying".
  const verify = Boolean(env.DOCKER_TLS_VERIFY);
  const tls = verify || Boolean(env.DOCKER_TLS) || parsed.protocol === 'https:';
  const port = parsed.port || (tls ? '2376' : '2375');
  const url = `tcp://${parsed.hostname}:${port}`;
  if (!tls) {
    return { url, source: 'DOCKER_HOST', local: false, options: { protocol: 'http', host: parsed.hostname, port } };
  }
  const certDir = env.DOCKER_CERT_PATH || path.join(os.homedir(), '.docker');
  const read = (name: string, required: boolean): Buffer | undefined => {
    const file = path.join(certDir, name);
    if (existsSync(file)) return readFileSync(file);
    if (required) {
      throw new UserError(
        `DOCKER_TLS_VERIFY is set but ${file} does not exist; set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem`,
        ENGINE_EXIT_CODE,
      );
    }
    return undefined;
  };
  const ca = read('ca.pem', verify);
  const cert = read('cert.pem', verify);
  const key = read('key.pem', verify);
  const options: Endpoint['options'] = { protocol: 'https', host: parsed.hostname, port };
  if (verify) {
    options.ca = ca;
    options.cert = cert;
    options.key = key;
  } else {
    options.agent = new https.Agent({ rejectUnauthorized: false, ...(cert ? { cert } : {}), ...(key ? { key } : {}) });
  }
  return { url, source: 'DOCKER_HOST', local: false, options };
}
