import { applyDecorators, SetMetadata } from '@nestjs/common';
import { accessDocs } from './openapi.js';
import { ACCESS_KEY, type RouteAccess } from './route-access.js';

/**
 * Declares who may call a route (`RouteAccess`, route-access.ts). The same decorator declares the
 * route's security scheme and access errors in the OpenAPI document, so the document cannot
 * disagree with the guard.
 */
export const Access = (access: RouteAccess): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ACCESS_KEY, access), ...accessDocs(access));
