// Validated configuration for the whole app: ConfigModule validates the environment at boot (the app
// refuses to start on a bad value, naming it) and the typed Env instance is injectable by class.
import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Env, ENV_KEYS, validateEnv } from './env.config';

@Global()
@Module({})
export class AppConfigModule {
  /** Reads the environment when called (at app creation), not when this file is imported. */
  static forRoot(): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, cache: true, validate: validateEnv }),
      ],
      providers: [
        {
          provide: Env,
          inject: [ConfigService],
          useFactory: (config: ConfigService): Env =>
            validateEnv(Object.fromEntries(ENV_KEYS.map((key) => [key, config.get<unknown>(key)]))),
        },
      ],
      exports: [Env],
    };
  }
}
