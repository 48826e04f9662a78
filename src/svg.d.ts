// SVG files are bundled as strings by JupyterLab's webpack configuration.
declare module '*.svg' {
  const value: string;
  export default value;
}
