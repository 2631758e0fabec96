import { DynamicModule, Module, Type } from '@nestjs/common';
import { QueueModule } from '@keyward/queue';
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
      // projections may enqueue after a batch (webhook wake-ups)
      imports: [EventStoreModule, QueueModule],
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
