// A Stryker ignorer: no mutants inside calls to a logger (`….logger.info(…)`, `logger.warn(…)`). Log lines are for
// operators; what they must never carry (personal data) is tested end to end by test/e2e/pii-logs.test.ts, and a
// mutant that changes a log message or its fields is not a change of behaviour the unit tests should pin.
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

function isLoggerCall(node) {
  if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return false;
  const method = node.callee.property;
  if (method.type !== 'Identifier' || !LEVELS.has(method.name)) return false;
  const target = node.callee.object;
  const name =
    target.type === 'Identifier'
      ? target.name
      : target.type === 'MemberExpression' && target.property.type === 'Identifier'
        ? target.property.name
        : '';
  return /logger$/i.test(name);
}

// The statement around a log call (removing it is the same change as emptying the call), and a block that does
// nothing but log (a `catch` that logs and carries on: emptying it removes only the log line).
const isLogStatement = (node) => node.type === 'ExpressionStatement' && isLoggerCall(node.expression);

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'logging', {
    shouldIgnore(path) {
      const node = path.node;
      if (isLoggerCall(node) || isLogStatement(node))
        return 'a log line: not behaviour (PII is tested end to end)';
      if (node.type === 'BlockStatement' && node.body.length > 0 && node.body.every(isLogStatement))
        return 'a block that only logs: not behaviour';
      return undefined;
    },
  }),
];
