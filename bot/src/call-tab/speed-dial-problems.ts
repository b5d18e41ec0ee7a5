import type { SpeedDialError } from '../speed-dials/speed-dial-service.js';
import { ApiProblem, graphProblem } from './problems.js';

export function speedDialFailure(error: SpeedDialError): ApiProblem {
  switch (error.code) {
    case 'speed_dials_full':
      return new ApiProblem(
        413,
        'speed_dials_full',
        `Your speed dials are full: Microsoft 365 keeps at most ${String(error.bytesMax)} bytes of them. Remove a speed dial or shorten a label, then save again.`,
        { bytesUsed: error.bytesUsed, bytesMax: error.bytesMax },
      );
    case 'busy':
      return new ApiProblem(
        503,
        'upstream_unavailable',
        'Another save of your speed dials is still running. Retry in a moment.',
        {
          retryAfterSeconds: 1,
        },
      );
    case 'graph':
      return graphProblem(error.error, 'your speed dials');
  }
}
