// A Stryker ignorer: no mutants in the sentence of a refusal or an error our code raises
// (`new ReviewRefused(code, message)`, `new PermanentError(code, message)`, `new TransientError(…)`). The code next
// to it is what callers act on (the console shows the refusal by its code, a dead letter is classified by it) and
// stays mutated; the sentence is free text for an operator, like the operator texts of ignore-operator-text.mjs.
// That no such sentence carries personal data is tested end to end (test/e2e/pii-logs.test.ts) and by unit tests
// of the texts that could (cccdConsistentWith, ageOn).
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const RAISED = new Set(['ReviewRefused', 'PermanentError', 'TransientError']);

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'error-text', {
    shouldIgnore(path) {
      const parent = path.parent;
      if (
        parent?.type === 'NewExpression' &&
        parent.callee.type === 'Identifier' &&
        RAISED.has(parent.callee.name) &&
        parent.arguments[1] === path.node
      )
        return 'the sentence of a refusal or error: operator text (its code is mutated)';
      return undefined;
    },
  }),
];
