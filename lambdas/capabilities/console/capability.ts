import { defineCapability } from '../capability.js';
import { consoleRoutes } from './admin-routes.js';

/** The web console: its static files, public (the page holds no data; API calls carry the user's token). */
export const consoleCapability = defineCapability({
  name: 'console',
  adminRoutes: consoleRoutes(),
});
