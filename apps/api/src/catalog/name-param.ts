import { PipeTransform } from '@nestjs/common';
import { Problem } from '@keyward/common';
import { permissionNameParam, roleNameParam } from './catalog.dto';

/** A permission or role name in the path: its own shape, or 400 naming `name`. */
export function nameParam(kind: 'permission' | 'role'): PipeTransform<string, string> {
  const shape = kind === 'role' ? roleNameParam : permissionNameParam;
  return {
    transform: (value: string) => {
      if (!shape.test(value)) throw Problem.invalidField('name', `is not a ${kind} name`);
      return value;
    },
  };
}
