import { Command } from '@nestjs/cqrs';

export interface BootstrapResult {
  companyId: string;
  userId: string;
  keyId: string;
  /** Shown once. */
  key: string;
}

/**
 * Creates a company with its first admin user and an administration key.
 * With `firstOnly`, does nothing (returns null) once any company exists.
 */
export class BootstrapCommand extends Command<BootstrapResult | null> {
  constructor(
    readonly input: { companyName: string; adminEmail: string; adminName: string; firstOnly: boolean },
  ) {
    super();
  }
}
