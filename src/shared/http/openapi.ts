// Serves the OpenAPI document without a key: JSON at /docs-json, YAML at /docs-yaml, and an
// interactive viewer (Swagger UI) at /docs whose assets come from the swagger-ui-dist package on this
// server, so it works with no network beyond it.
import type { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import { buildOpenApiDocument } from '../openapi/openapi.document';

export function serveOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    ui: true,
    raw: ['json', 'yaml'],
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    customSiteTitle: 'pipescope API',
    swaggerOptions: { persistAuthorization: false, tryItOutEnabled: false, validatorUrl: null },
  });
}
