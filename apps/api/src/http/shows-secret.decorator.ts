import { Header } from '@nestjs/common';

/**
 * The answer shows a key or a secret (CONTRACT: such a response carries `Cache-Control:
 * no-store`): no browser, proxy or CDN may keep a copy of it. Put it on every route whose
 * answer holds one, instead of writing the header by hand.
 */
export const ShowsSecret = () => Header('Cache-Control', 'no-store');
