/**
 * The CDK app (cdk.json runs it with tsx). Environment-agnostic and free of lookups, so
 * `npm run synth` works offline; the account and region come from the deploying credentials.
 * Settings come from context, e.g. `npm run cdk -- deploy -c stage=prod -c agentEndpoint=FunctionUrl`.
 */
import { App } from 'aws-cdk-lib';
import { HubStack } from './hub-stack.js';

const app = new App();
new HubStack(app, 'TetherHub', {
  description: 'Tether: serverless hub for Kubernetes fleets',
});
app.synth();
