// Provides the validated Env, injectable by class. The entry point validates the environment once
// (the process refuses to start on a bad value, naming it) and hands the result to the app.
import { DynamicModule, Global, Module } from '@nestjs/common';
import { Env } from './env.config';

@Global()
@Module({})
export class AppConfigModule {
  static forRoot(env: Env): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [{ provide: Env, useValue: env }],
      exports: [Env],
    };
  }
}
