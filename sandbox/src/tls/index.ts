/** The sandbox's TLS: a local CA and a `localhost` certificate the HTTPS stand-ins serve. */
export { loadSandboxTls, type LoadSandboxTlsOptions, type SandboxTls } from './sandbox-tls.js';
