import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsString, Length, MaxLength } from 'class-validator';
import { OptionalNotNull } from '../http/validation';
import { PERMISSIONS, ROLES } from '@keyward/auth';

const ROLE_NAMES = Object.keys(ROLES);

export class CreateUserDto {
  @ApiProperty({ format: 'email', maxLength: 254 })
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email!: string;

  @ApiProperty({ minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({ enum: PERMISSIONS, isArray: true, description: 'give permissions or role' })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(PERMISSIONS.length)
  @IsIn(PERMISSIONS, { each: true })
  permissions?: (typeof PERMISSIONS)[number][];

  @ApiPropertyOptional({ enum: ROLE_NAMES })
  @OptionalNotNull()
  @IsIn(ROLE_NAMES)
  role?: keyof typeof ROLES;

  @ApiPropertyOptional({ default: false })
  @OptionalNotNull()
  @IsBoolean()
  disabled?: boolean;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @OptionalNotNull()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ enum: PERMISSIONS, isArray: true })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(PERMISSIONS.length)
  @IsIn(PERMISSIONS, { each: true })
  permissions?: (typeof PERMISSIONS)[number][];

  @ApiPropertyOptional({ enum: ROLE_NAMES })
  @OptionalNotNull()
  @IsIn(ROLE_NAMES)
  role?: keyof typeof ROLES;

  @ApiPropertyOptional({ description: "a disabled user's keys stop working on every instance before this returns" })
  @OptionalNotNull()
  @IsBoolean()
  disabled?: boolean;
}

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) companyId!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: PERMISSIONS, isArray: true }) permissions!: string[];
  @ApiProperty() disabled!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class UserPage {
  @ApiProperty({ type: [UserResponse] }) items!: UserResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
