/**
 * Webex Calling Do Not Disturb per person. When enabled, "this feature will give all incoming
 * calls the busy treatment" (Configure Do Not Disturb Settings for a Person); the stand-in sends
 * such calls to voicemail.
 */
export interface DndSettings {
  readonly enabled: boolean;
  readonly ringSplashEnabled: boolean;
  /** "true if a mobile device will still ring even if Do Not Disturb is enabled." */
  readonly webexGoOverrideEnabled: boolean;
}

export const DND_OFF: DndSettings = {
  enabled: false,
  ringSplashEnabled: false,
  webexGoOverrideEnabled: false,
};

export class DndStore {
  private readonly settings = new Map<string, DndSettings>();

  get(personId: string): DndSettings {
    return this.settings.get(personId) ?? DND_OFF;
  }

  /** Applies the fields given; the rest keep their values. */
  update(personId: string, patch: Partial<DndSettings>): DndSettings {
    const next = { ...this.get(personId), ...patch };
    this.settings.set(personId, next);
    return next;
  }

  isOn(personId: string): boolean {
    return this.get(personId).enabled;
  }
}

/**
 * Reads a DND patch from a request body: each present field must be a boolean. Returns the
 * patch, or the name of the first bad field.
 */
export function readDndPatch(body: unknown): Partial<DndSettings> | { readonly invalid: string } {
  if (typeof body !== 'object' || body === null) return { invalid: 'body' };
  const record = body as Record<string, unknown>;
  const patch: { -readonly [K in keyof DndSettings]?: boolean } = {};
  for (const key of ['enabled', 'ringSplashEnabled', 'webexGoOverrideEnabled'] as const) {
    const value = record[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') return { invalid: key };
    patch[key] = value;
  }
  return patch;
}
