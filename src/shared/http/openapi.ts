// The OpenAPI document, generated from the controllers and DTOs, served without a key at /docs (JSON)
// and /docs-yaml. The Swagger UI would need @fastify/static; the document alone needs nothing more.
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export function serveOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('pipescope')
    .setDescription('Ingest, investigation, replay and aggregates for data pipelines. See docs/api.md.')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config), {
    ui: false,
    raw: true,
    jsonDocumentUrl: 'docs',
    yamlDocumentUrl: 'docs-yaml',
  });
}
