import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'example-memcached', rootDir: import.meta.dirname };
