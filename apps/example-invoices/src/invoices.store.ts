import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

export interface Invoice {
  id: string;
  customer: string;
  amountCents: number;
  currency: string;
  createdBy: string;
  createdAt: string;
}

/** The example keeps its invoices in memory, per company of the calling key. */
@Injectable()
export class InvoicesStore {
  private readonly byCompany = new Map<string, Map<string, Invoice>>();

  list(companyId: string): Invoice[] {
    return [...(this.byCompany.get(companyId)?.values() ?? [])];
  }

  get(companyId: string, id: string): Invoice | undefined {
    return this.byCompany.get(companyId)?.get(id);
  }

  create(companyId: string, input: Omit<Invoice, 'id' | 'createdAt'>): Invoice {
    const invoice: Invoice = { id: randomUUID(), ...input, createdAt: new Date().toISOString() };
    let invoices = this.byCompany.get(companyId);
    if (!invoices) this.byCompany.set(companyId, (invoices = new Map()));
    invoices.set(invoice.id, invoice);
    return invoice;
  }
}
