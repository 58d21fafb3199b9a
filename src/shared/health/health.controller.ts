// Liveness (the process answers) and readiness (S3, DynamoDB and SQS answer within a timeout).
import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { EventIndex } from '../events/event-index';
import { QueuePublisher } from '../queue/queue-publisher';
import { RawStore } from '../raw/raw-store';
import { Public } from '../auth/roles.decorator';
import { Env } from '../config/env.config';
import { AppError } from '../errors/app-error';
import { ApiErrors } from '../openapi/api-errors.decorator';

const CHECKS = {
  type: 'object' as const,
  additionalProperties: {
    type: 'object' as const,
    required: ['status'],
    properties: {
      status: { type: 'string' as const, enum: ['up', 'down'] },
      latency_ms: { type: 'integer' as const },
    },
  },
  example: { s3: { status: 'up', latency_ms: 3 } },
};

/** What Terminus answers when every check is up. */
class HealthStatus {
  @ApiProperty({ enum: ['ok'] }) status!: string;
  @ApiProperty({ ...CHECKS, description: 'checks that are up' }) info!: object;
  @ApiProperty({ ...CHECKS, description: 'checks that are down (none)' }) error!: object;
  @ApiProperty({ ...CHECKS, description: 'every check' }) details!: object;
}

@Controller('health')
@Public()
@ApiTags('operations')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly raw: RawStore,
    private readonly index: EventIndex,
    private readonly queue: QueuePublisher,
    private readonly env: Env,
  ) {}

  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ type: HealthStatus })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    summary: 'Readiness: S3, DynamoDB and SQS each answer within HEALTH_TIMEOUT_MS',
    description: '503 names the failing dependencies; `details` holds every check’s result.',
  })
  @ApiOkResponse({ type: HealthStatus })
  @ApiErrors('HEALTH.NOT_READY')
  async ready() {
    try {
      return await this.health.check([
        () => this.probe('s3', (signal) => this.raw.ping(signal)),
        () => this.probe('dynamodb', (signal) => this.index.ping(signal)),
        () => this.probe('sqs', (signal) => this.queue.ping(signal)),
      ]);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      const result = err.getResponse() as HealthCheckResult;
      const failing = Object.keys(result.error ?? {});
      throw new AppError('HEALTH.NOT_READY', `Not ready: ${failing.join(', ')} unavailable`, result);
    }
  }

  private async probe(
    name: string,
    ping: (signal: AbortSignal) => Promise<void>,
  ): Promise<HealthIndicatorResult> {
    const check = this.indicator.check(name);
    const started = Date.now();
    const signal = AbortSignal.timeout(this.env.HEALTH_TIMEOUT_MS);
    try {
      await Promise.race([
        ping(signal),
        new Promise((_, fail) => signal.addEventListener('abort', () => fail(new Error('timed out')))),
      ]);
      return check.up({ latency_ms: Date.now() - started });
    } catch (err) {
      return check.down({ message: (err as Error).message, latency_ms: Date.now() - started });
    }
  }
}
