// A `both` run: a pull, then, once it completed, a push (so the push weighs the latest source
// changes). One run, so a mapping's pull and push never overlap.
import type { RunKind } from '../types';
import { pullKind } from './pull';
import { pushKind } from './push';

export const bothKind: RunKind = {
  async execute(ctx, run, options) {
    const pulled = await pullKind.execute(ctx, run, options);
    if (pulled.outcome !== 'succeeded') return pulled;
    const pushed = await pushKind.execute(ctx, run, options);
    return { outcome: pushed.outcome, unrecorded: pulled.unrecorded, ...(pulled.warnings === undefined ? {} : { warnings: pulled.warnings }) };
  },
};
