/**
 * Small queries over synthesised templates for the CDK assertion tests: all functions, a function
 * by its Powertools service name, a resource by a fragment of its logical id, the IAM actions of a
 * function's role, and the HTTP API's route table.
 */
import type { Template } from 'aws-cdk-lib/assertions';

/** A CloudFormation resource as it appears in a template. */
export type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

/** A function's environment variables. */
export type Env = Record<string, unknown>;

/** All Lambda functions of a template. */
export function functions(t: Template): Resource[] {
  return Object.values(t.findResources('AWS::Lambda::Function')) as Resource[];
}

/** The environment variables of a function resource. */
export function envOf(fn: Resource): Env {
  return (fn.Properties.Environment as { Variables: Env }).Variables;
}

/** Logical id and resource of the function whose POWERTOOLS_SERVICE_NAME is `service`. */
export function functionByService(t: Template, service: string): [string, Resource] {
  const entry = Object.entries(t.findResources('AWS::Lambda::Function')).find(
    ([, r]) => envOf(r as Resource).POWERTOOLS_SERVICE_NAME === service,
  );
  if (!entry) throw new Error(`no function for ${service}`);
  return entry as [string, Resource];
}

/** Logical id of the first resource of `type` whose id contains `pathPart`. */
export function logicalId(t: Template, type: string, pathPart: string): string {
  const id = Object.keys(t.findResources(type)).find((k) => k.includes(pathPart));
  if (!id) throw new Error(`no ${type} matching ${pathPart}`);
  return id;
}

/** An IAM policy statement as it appears in a template. */
export type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };

/** Every statement of the policies attached to the function's execution role. */
export function statementsOfRole(t: Template, fnId: string): Statement[] {
  const fn = t.findResources('AWS::Lambda::Function')[fnId];
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) =>
    (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId),
  );
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** Every IAM action the policies attached to the function's execution role allow. */
export function actionsOfRole(t: Template, fnId: string): string[] {
  return statementsOfRole(t, fnId)
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => [s.Action].flat());
}

/** Route key -> logical id of the function its integration invokes. */
export function routes(t: Template): Record<string, string> {
  const integrations = t.findResources('AWS::ApiGatewayV2::Integration');
  const out: Record<string, string> = {};
  for (const r of Object.values(t.findResources('AWS::ApiGatewayV2::Route'))) {
    const integrationId = (r.Properties.Target['Fn::Join'][1] as unknown[])[1] as { Ref: string };
    const uri = integrations[integrationId.Ref].Properties.IntegrationUri as { 'Fn::GetAtt': [string, string] };
    out[r.Properties.RouteKey as string] = uri['Fn::GetAtt'][0];
  }
  return out;
}
