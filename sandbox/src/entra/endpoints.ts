/**
 * The stand-in's URLs. The base is only known once the server listens (port 0 in tests), so
 * it is read lazily; everything else derives from it the way Entra's URLs derive from
 * `https://login.microsoftonline.com`.
 */
export class Endpoints {
  private baseUrl: string | undefined;

  constructor(readonly tenantId: string) {}

  /** Called once the server listens. */
  bind(baseUrl: string): void {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  get base(): string {
    if (this.baseUrl === undefined)
      throw new Error('Entra stand-in endpoints used before the server listens');
    return this.baseUrl;
  }

  /** `https://host:port` as MSAL's `knownAuthorities` wants it: `host:port`. */
  get host(): string {
    return new URL(this.base).host;
  }

  /** Issuer of v2.0 tokens (and of the v2.0 discovery document) for the tenant. */
  issuerV2(tenant = this.tenantId): string {
    return `${this.base}/${tenant}/v2.0`;
  }

  /**
   * Issuer of v1.0 tokens. Entra writes the fixed STS host here whatever host issued the
   * token, so validators compare strings and fetch keys from the JWKS, never from `iss`.
   */
  issuerV1(): string {
    return `https://sts.windows.net/${this.tenantId}/`;
  }

  authority(segment = this.tenantId): string {
    return `${this.base}/${segment}`;
  }

  token(segment = this.tenantId): string {
    return `${this.authority(segment)}/oauth2/v2.0/token`;
  }

  authorize(segment = this.tenantId): string {
    return `${this.authority(segment)}/oauth2/v2.0/authorize`;
  }

  jwks(segment = this.tenantId): string {
    return `${this.authority(segment)}/discovery/v2.0/keys`;
  }

  openIdConfiguration(segment = this.tenantId): string {
    return `${this.authority(segment)}/v2.0/.well-known/openid-configuration`;
  }
}
