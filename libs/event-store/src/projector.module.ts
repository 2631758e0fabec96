import { DynamicModule, Module, Type } from '@nestjs/common';
import { EventStoreModule } from './event-store.module';
import { PROJECTIONS, Projection } from './projection';
import { ProjectionWaiter } from './projection-waiter';
import { Projector } from './projector';

/** The projector over the given projections, for the whole application (global). */
@Module({})
export class ProjectorModule {
  static register(projections: Type<Projection>[]): DynamicModule {
    return {
      module: ProjectorModule,
      global: true,
      imports: [EventStoreModule],
      providers: [
        ...projections,
        { provide: PROJECTIONS, useFactory: (...all: Projection[]) => all, inject: projections },
        Projector,
        ProjectionWaiter,
      ],
      exports: [Projector, ProjectionWaiter],
    };
  }
}
