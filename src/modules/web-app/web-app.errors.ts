import { defineError } from '../../shared/errors.ts';

// The service runs, but the page's files are neither beside the bundle (dist/web) nor buildable from web/.
export const webPageUnavailableError = defineError({ status: 503, code: 'web_page_unavailable', title: 'Web page unavailable' });
// An asset name that is not one of this build's (an old hashed name after an upgrade, or a made-up one).
export const webAssetNotFoundError = defineError({ status: 404, code: 'not_found', title: 'Not found' });
