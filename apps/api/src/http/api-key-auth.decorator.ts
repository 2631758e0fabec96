import { applyDecorators } from '@nestjs/common';
import { ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';

/** OpenAPI: the routes need a key, in any one of the three headers. */
export const ApiKeyAuth = () =>
  applyDecorators(
    ApiSecurity('x-api-key'),
    ApiSecurity('api-key'),
    ApiSecurity('bearer'),
    ApiUnauthorizedResponse({ description: 'missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer)' }),
    ApiForbiddenResponse({ description: 'INSUFFICIENT_PERMISSIONS' }),
  );
