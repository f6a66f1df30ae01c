import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'prometheus-operator', rootDir: import.meta.dirname };
