/**
 * restify 11 reads `process.binding('http_parser')`, which makes Node print DEP0111 once per
 * process; the test runner disables that one warning by flag, the bench filters it here. Import
 * this module first so it runs before restify loads. Every other warning still prints.
 */
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (...args: unknown[]): void => {
  const [, second, code] = args;
  const options = typeof second === 'object' && second !== null ? (second as { code?: unknown }) : undefined;
  if (code === 'DEP0111' || options?.code === 'DEP0111') return;
  (emitWarning as (...a: unknown[]) => void)(...args);
};
