// A Stryker ignorer: no mutants in the free text a flow writes for operators — the `detail` of a rule result
// (`log.fail(rule, code, severity, detail)`, `log.pass(rule, detail)`) and the `text` of an HGD difference. That
// text is shown on the review case; VssID never receives it (rules.ts). The rule name, the reason code and the
// severity next to it are behaviour and stay mutated.
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

function isRuleLogCall(call, method) {
  return (
    call?.type === 'CallExpression' &&
    call.callee.type === 'MemberExpression' &&
    call.callee.object.type === 'Identifier' &&
    call.callee.object.name === 'log' &&
    call.callee.property.type === 'Identifier' &&
    call.callee.property.name === method
  );
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'operator-text', {
    shouldIgnore(path) {
      const parent = path.parent;
      if (isRuleLogCall(parent, 'fail') && parent.arguments[3] === path.node)
        return 'operator text of a finding';
      if (isRuleLogCall(parent, 'pass') && parent.arguments[1] === path.node)
        return 'operator text of a pass';
      if (
        parent?.type === 'ObjectProperty' &&
        parent.value === path.node &&
        parent.key.type === 'Identifier' &&
        parent.key.name === 'text'
      )
        return 'operator text of an HGD difference';
      return undefined;
    },
  }),
];
