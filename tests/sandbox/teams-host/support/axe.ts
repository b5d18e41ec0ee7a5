import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Frame, Page } from 'playwright-core';

/** One axe-core finding, trimmed to what a failure message needs. */
export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

let source: Promise<string> | undefined;

/**
 * Runs axe-core (WCAG 2 A/AA rules) on a page, or inside one frame of it (the tab in the dev
 * host). The script is evaluated through the DevTools protocol, so the pages' strict CSP (no
 * inline script) stays on while they are checked.
 */
export async function axeViolations(target: Page | Frame): Promise<AxeViolation[]> {
  source ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await target.evaluate(await source);
  return target.evaluate(async () => {
    interface AxeResult {
      violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
    }
    const axe = (
      window as unknown as { axe: { run(context: Document, options: unknown): Promise<AxeResult> } }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
}
