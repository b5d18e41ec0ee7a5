/** Browser helpers shared by the sandbox pages: they only ever call their own origin. */

export interface OrgUser {
  readonly id: string;
  readonly displayName: string;
  readonly userPrincipalName: string;
  readonly jobTitle: string;
  readonly department: string;
  readonly webex: { readonly personId: string; readonly calling: boolean; readonly extension: string } | null;
}

export interface OrgChat {
  readonly id: string;
  readonly chatType: 'oneOnOne' | 'group';
  readonly topic: string | null;
  readonly memberIds: readonly string[];
}

export interface OrgTeam {
  readonly id: string;
  readonly displayName: string;
  readonly memberIds: readonly string[];
  readonly channels: readonly {
    readonly id: string;
    readonly displayName: string;
    readonly memberIds: readonly string[];
  }[];
}

export interface OrgSummary {
  readonly tenantId: string;
  readonly teamsAppId: string;
  readonly tabPath: string;
  readonly users: readonly OrgUser[];
  readonly chats: readonly OrgChat[];
  readonly teams: readonly OrgTeam[];
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(errorMessage(status, body));
    this.name = 'HttpError';
  }
}

function errorMessage(status: number, body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    for (const key of ['message', 'error_description', 'error']) {
      const value = record[key];
      if (typeof value === 'string' && value !== '') return `${status}: ${value}`;
      if (
        typeof value === 'object' &&
        value !== null &&
        typeof (value as Record<string, unknown>).message === 'string'
      ) {
        return `${status}: ${String((value as Record<string, unknown>).message)}`;
      }
    }
  }
  if (typeof body === 'string' && body !== '') return `${status}: ${body.slice(0, 200)}`;
  return `HTTP ${status}`;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function getJson(path: string): Promise<unknown> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
  const body = await readBody(response);
  if (!response.ok) throw new HttpError(response.status, body);
  return body;
}

export async function sendJson(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  payload?: unknown,
): Promise<unknown> {
  const init: RequestInit = { method, headers: { accept: 'application/json' }, cache: 'no-store' };
  if (payload !== undefined) {
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
    init.body = JSON.stringify(payload);
  }
  const response = await fetch(path, init);
  const body = await readBody(response);
  if (!response.ok) throw new HttpError(response.status, body);
  return body;
}

export async function fetchOrg(): Promise<OrgSummary> {
  return (await getJson('/_host/api/org')) as OrgSummary;
}

/** `document.getElementById` that fails loudly: the HTML shells are ours, a miss is a bug. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`sandbox page: #${id} is missing or not a ${type.name}`);
  return element;
}

/** Creates an element with text and attributes; text goes in as text, never as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string>> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}
