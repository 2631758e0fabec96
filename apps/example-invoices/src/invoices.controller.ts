import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import { KeywardGuard, KeywardKey, KeywardKeyInfo, RequirePermissions } from '@keyward/nestjs';
import { Invoice, InvoicesStore } from './invoices.store';

interface CreateInvoiceBody {
  customer?: unknown;
  amountCents?: unknown;
  currency?: unknown;
}

/** Invoices of the calling key's company: read with `invoices:read`, create with `invoices:write`. */
@Controller('invoices')
@UseGuards(KeywardGuard)
export class InvoicesController {
  constructor(private readonly store: InvoicesStore) {}

  @Get()
  @RequirePermissions('invoices:read')
  list(@KeywardKey() key: KeywardKeyInfo): { items: Invoice[] } {
    return { items: this.store.list(key.companyId) };
  }

  @Get(':id')
  @RequirePermissions('invoices:read')
  get(@KeywardKey() key: KeywardKeyInfo, @Param('id') id: string): Invoice {
    const invoice = this.store.get(key.companyId, id);
    if (!invoice) throw new NotFoundException(`invoice ${id} was not found`);
    return invoice;
  }

  @Post()
  @HttpCode(201)
  @RequirePermissions('invoices:write')
  create(@KeywardKey() key: KeywardKeyInfo, @Body() body: CreateInvoiceBody = {}): Invoice {
    const { customer, amountCents, currency = 'EUR' } = body;
    if (typeof customer !== 'string' || customer.length < 1 || customer.length > 200) throw new BadRequestException('customer: 1..200 characters');
    if (!Number.isInteger(amountCents) || (amountCents as number) < 0) throw new BadRequestException('amountCents: a whole number ≥ 0');
    if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) throw new BadRequestException('currency: three capital letters');
    return this.store.create(key.companyId, { customer, amountCents: amountCents as number, currency, createdBy: key.keyId });
  }
}
