import {
  parseAppRequest,
  responseTo,
  type AuthenticateRequest,
  type FrameContext,
  type TeamsHostProtocol,
} from './protocol.js';

/**
 * Window plumbing shared by the pages that act as the Teams host: the authentication popup
 * (Teams opens one window per flow and watches for it being closed) and the `message` listener
 * that answers teams-js requests from known windows only.
 */

export class AuthPopup {
  private current: Window | null = null;
  private poll: number | undefined;

  get window(): Window | null {
    return this.current;
  }

  open(request: AuthenticateRequest, onClosed: () => void): boolean {
    this.stopPolling();
    const width = request.width ?? 600;
    const height = request.height ?? 535;
    const left = Math.max(0, window.screenX + (window.outerWidth - width) / 2);
    const top = Math.max(0, window.screenY + (window.outerHeight - height) / 2);
    // A fresh name per flow: reusing one would navigate a window that is still closing.
    const name = `callbridge-auth-${Date.now().toString(36)}`;
    const popup = window.open(
      request.url,
      name,
      `popup,width=${width},height=${height},left=${left},top=${top}`,
    );
    if (popup === null) return false;
    this.current = popup;
    this.poll = window.setInterval(() => {
      if (!popup.closed) return;
      this.stopPolling();
      if (this.current === popup) this.current = null;
      onClosed();
    }, 300);
    return true;
  }

  close(): void {
    this.stopPolling();
    const popup = this.current;
    this.current = null;
    // teams-js closes the window itself 200 ms after notifySuccess; this covers pages that don't.
    window.setTimeout(() => {
      if (popup !== null && !popup.closed) popup.close();
    }, 300);
  }

  private stopPolling(): void {
    if (this.poll !== undefined) window.clearInterval(this.poll);
    this.poll = undefined;
  }
}

/**
 * Answers teams-js requests posted to this window. `frameOf` names the frame context of a
 * message's source window, or undefined for windows that are not ours to answer.
 */
export function listenForApps(
  protocol: TeamsHostProtocol,
  frameOf: (source: MessageEventSource | null) => FrameContext | undefined,
  hooks: {
    onRequest?: (frame: FrameContext, func: string) => void;
    onError?: (func: string, error: unknown) => void;
  } = {},
): () => void {
  const listener = (event: MessageEvent<unknown>): void => {
    const request = parseAppRequest(event.data);
    if (request === undefined) return;
    const frame = frameOf(event.source);
    if (frame === undefined || event.source === null) return;
    const source = event.source as Window;
    const origin = event.origin === 'null' ? '*' : event.origin;
    hooks.onRequest?.(frame, request.func);
    protocol.handle(frame, request).then(
      (answer) => {
        if (answer === undefined || source.closed) return;
        source.postMessage(responseTo(request, answer), origin);
      },
      (error: unknown) => hooks.onError?.(request.func, error),
    );
  };
  window.addEventListener('message', listener);
  return () => {
    window.removeEventListener('message', listener);
  };
}
