// Helpers for assertions on synthesized templates.
import { Match, Template } from 'aws-cdk-lib/assertions';

export type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };

export const one = (t: Template, type: string, props: Record<string, unknown> = {}): Resource => {
  const found = Object.values(t.findResources(type, props ? { Properties: Match.objectLike(props) } : {}));
  expect(found).toHaveLength(1);
  return found[0] as Resource;
};

/** Every action an Allow statement grants in a template: role policies and resource policies. */

export function actionsIn(t: Template): string[] {
  const actions: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const statement = node as { Effect?: string; Action?: unknown };
      if (statement.Effect === 'Allow' && statement.Action)
        actions.push(...[statement.Action].flat().map(String));
      else Object.values(node).forEach(walk);
    }
  };
  walk(t.toJSON());
  return actions;
}

/** The actions of the inline policy attached to the role whose logical id starts with `rolePrefix`. */
