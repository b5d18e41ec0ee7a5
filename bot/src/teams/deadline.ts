/**
 * Waits for `work` at most `ms`: its value, or `'late'`. Teams gives up on a bot that answers too
 * late (5 s for an invoke) and may retry, so a reply goes out by then with what is known; late
 * work still settles, and its failure is swallowed rather than left as an unhandled rejection.
 */
export async function byDeadline<T>(work: Promise<T>, ms: number): Promise<T | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => {
      resolve('late');
    }, ms);
  });
  try {
    const settled = await Promise.race([work, late]);
    if (settled === 'late') work.catch(() => undefined);
    return settled;
  } finally {
    clearTimeout(timer);
  }
}
