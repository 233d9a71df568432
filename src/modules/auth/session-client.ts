import type { FastifyRequest } from 'fastify';
import type { SessionClient } from './sessions.repository.ts';

// Enough to tell one app or browser from another; a longer header is someone stuffing the table.
const USER_AGENT_MAX_LENGTH = 512;

/** The client address (as TRUST_PROXY resolves it) and user agent a session shows in GET /auth/sessions. */
export function sessionClient(request: FastifyRequest): SessionClient {
  const userAgent = request.headers['user-agent']?.slice(0, USER_AGENT_MAX_LENGTH);
  return { ipAddress: request.ip, userAgent: userAgent || undefined };
}
