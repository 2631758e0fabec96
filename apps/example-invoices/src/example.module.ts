import { DynamicModule, Module } from '@nestjs/common';
import { KeywardModule, KeywardModuleOptions } from '@keyward/nestjs';
import { InvoicesController } from './invoices.controller';
import { InvoicesStore } from './invoices.store';
import { WhoAmIController } from './whoami.controller';

/** The example service: invoices guarded by Keyward, as a customer's own API would be. */
@Module({})
export class ExampleInvoicesModule {
  static forRoot(keyward: KeywardModuleOptions): DynamicModule {
    return {
      module: ExampleInvoicesModule,
      imports: [KeywardModule.forRoot(keyward)],
      controllers: [InvoicesController, WhoAmIController],
      providers: [InvoicesStore],
    };
  }
}
