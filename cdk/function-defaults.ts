/**
 * Memory defaults of the hub's functions, MB, in a module without CDK imports so that the cost
 * model (bench/cost-model.ts) prices what TetherHub deploys.
 */

/** The agent function, which every poll invokes (see AgentFunctionOptions.memorySize). */
export const AGENT_FUNCTION_MEMORY_MB = 256;

/** Every other function (TetherFunction's default). */
export const FUNCTION_MEMORY_MB = 512;
