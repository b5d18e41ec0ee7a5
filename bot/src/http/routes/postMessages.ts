import type { Response } from 'restify';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { Logger } from '../../observability/logger.js';
import { CORRELATION_ID_KEY } from '../../teams/adapter.js';
import { HttpError, sendError, type Route } from '../route.js';

/** The part of an ActivityHandler the route needs. */
export interface TurnHandler {
  run(context: TurnContext): Promise<void>;
}

/**
 * Enough of an Activity to hand it to botbuilder, which validates the rest. `serviceUrl` is
 * required: botbuilder only compares it with the token's `serviceurl` claim when present, and
 * would otherwise reply to the connector library's default host.
 */
const activityEnvelope = z.looseObject({
  type: z.string().min(1),
  serviceUrl: z.url({ protocol: /^https?$/ }),
});

/**
 * `POST /api/messages`: the Bot Framework messaging endpoint. botbuilder authenticates the
 * request and runs the turn; this route checks the body's shape first (400) and writes
 * botbuilder's outcome itself so no internal message leaks: 401 for any authentication
 * failure, invoke responses as the bot set them, an opaque 500 otherwise.
 */
export function postMessages(adapter: CloudAdapter, bot: TurnHandler, logger: Logger): Route {
  return {
    method: 'post',
    path: '/api/messages',
    body: 'json',
    handler: async (req, res) => {
      const correlationId = headerValue(res, 'x-correlation-id');
      const parsed = activityEnvelope.safeParse(req.body);
      if (!parsed.success) {
        throw new HttpError(
          400,
          'invalid_activity',
          'The body must be a Bot Framework activity with a "type" and a "serviceUrl".',
        );
      }
      const captured = new CapturedResponse();
      let turnStarted = false;
      await adapter.process(
        { body: parsed.data, headers: req.headers, method: 'POST' },
        captured,
        async (context) => {
          turnStarted = true;
          context.turnState.set(CORRELATION_ID_KEY, correlationId);
          await bot.run(context);
        },
      );
      writeOutcome(res, { ...captured.outcome(), turnStarted }, correlationId, logger, parsed.data.type);
    },
  };
}

interface Outcome {
  readonly status: number;
  readonly body: unknown;
  /** Whether authentication passed and the bot's turn ran (its invoke response is then the answer). */
  readonly turnStarted: boolean;
}

function writeOutcome(
  res: Response,
  outcome: Outcome,
  correlationId: string,
  logger: Logger,
  activityType: string,
): void {
  const { status, body, turnStarted } = outcome;
  // botbuilder's own failures carry its error message as a string body: never pass that on.
  const internalFailure = status >= 500 && (!turnStarted || typeof body === 'string');
  if (!turnStarted && status === 401) {
    sendError(res, 401, 'unauthorized', 'The request is not authorized.');
  } else if (!turnStarted && status === 400) {
    sendError(res, 400, 'invalid_activity', 'The activity is malformed.');
  } else if (internalFailure) {
    logger.error({ correlationId, status, activityType, turnStarted }, 'bot request failed');
    sendError(res, 500, 'internal_error', `Something went wrong. Reference: ${correlationId}`);
  } else {
    res.status(status);
    if (body === undefined) res.end();
    else res.json(body);
  }
}

function headerValue(res: Response, name: string): string {
  const value = res.getHeader(name);
  return typeof value === 'string' ? value : '';
}

/**
 * What `CloudAdapter.process` writes (it calls `status`, `send`, `end`), kept instead of sent
 * so the route decides what the caller sees.
 */
class CapturedResponse {
  readonly socket = undefined;
  statusCode = 200;
  body: unknown = undefined;

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  header(): this {
    return this;
  }

  send(body?: unknown): this {
    this.body = body;
    return this;
  }

  end(): this {
    return this;
  }

  outcome(): { status: number; body: unknown } {
    return { status: this.statusCode, body: this.body };
  }
}
