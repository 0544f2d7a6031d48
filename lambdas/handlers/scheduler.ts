// Placeholder entry point; the real wiring replaces this file.
export const handler = async (): Promise<unknown> => ({ statusCode: 501 });
