import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsString, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import { COMPANY_PERMISSION, ROLE_NAME } from '@keyward/auth';
import { OptionalNotNull } from '../http/validation';

const PERMISSION_NAME = COMPANY_PERMISSION;

export class DefinePermissionDto {
  @ApiProperty({
    pattern: PERMISSION_NAME.source,
    example: 'invoices:write',
    description: "3 to 100 of a-z 0-9 _ - . :, with ':' or '.'; Keyward's own permissions are reserved",
  })
  @IsString()
  @Matches(PERMISSION_NAME, { message: 'must be 3 to 100 characters of lowercase letters, digits, _ - . :' })
  name!: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @OptionalNotNull()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class RemovePermissionQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'also take it from every role and key that holds it (audited)' })
  @OptionalNotNull()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'must be true or false' })
  force?: boolean;
}

export class PermissionResponse {
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class PermissionList {
  @ApiProperty({ type: [PermissionResponse] }) items!: PermissionResponse[];
}

export class DefineRoleDto {
  @ApiProperty({ pattern: ROLE_NAME.source, example: 'billing', description: '2 to 64 of letters, digits, _ - . : (ADMIN and READONLY are built in)' })
  @IsString()
  @Matches(ROLE_NAME, { message: 'must be 2 to 64 characters of letters, digits, _ - . :' })
  name!: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @OptionalNotNull()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiProperty({ type: [String], maxItems: 100, example: ['invoices:read', 'invoices:write'], description: "the company's own permissions (they must exist)" })
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(3, 100, { each: true })
  permissions!: string[];
}

export class UpdateRoleDto {
  @ApiPropertyOptional({ type: String, maxLength: 500, nullable: true, description: 'null: no description' })
  @ValidateIf((o: UpdateRoleDto) => o.description !== undefined && o.description !== null)
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({ type: [String], maxItems: 100, description: 'replaces the list; every key holding the role follows before the call returns' })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(3, 100, { each: true })
  permissions?: string[];
}

export class RoleResponse {
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ type: [String] }) permissions!: string[];
  @ApiProperty({ description: 'ADMIN and READONLY: Keyward permissions, fixed' }) builtIn!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) createdAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updatedAt!: string | null;
}

export class RoleList {
  @ApiProperty({ type: [RoleResponse] }) items!: RoleResponse[];
}

export const roleNameParam = ROLE_NAME;
export const permissionNameParam = PERMISSION_NAME;
