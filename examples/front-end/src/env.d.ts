interface ImportMetaEnv {
  /** Where the Dateline API is (default http://127.0.0.1:3000). */
  readonly VITE_DATELINE_API?: string
}
