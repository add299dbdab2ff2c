import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';

export const LANGUAGES = ['en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

/** One screen's words in both languages: French must have every English key (the compiler checks). */
export type Messages<K extends string> = { en: Record<K, string>; fr: Record<K, string> };

/** Declares a screen's words; `{name}` in a message is replaced by the value given for `name`. */
export function defineMessages<K extends string>(messages: Messages<K>): Messages<K> {
  return messages;
}

export const DEFAULT_TIME_ZONE = 'Europe/Paris';

interface Preferences {
  language: Language;
  timeZone: string;
  setLanguage(language: Language): void;
  setTimeZone(timeZone: string): void;
}

const PreferencesContext = createContext<Preferences | null>(null);

function stored(key: string): string | null {
  try {
    return window.localStorage.getItem(`tlpb.${key}`);
  } catch {
    return null;
  }
}

function store(key: string, value: string): void {
  try {
    window.localStorage.setItem(`tlpb.${key}`, value);
  } catch {
    // Private browsing: the choice lasts for this page only.
  }
}

function initialLanguage(): Language {
  const chosen = stored('language');
  if (chosen === 'en' || chosen === 'fr') return chosen;
  return navigator.language.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

/** The language and time zone the user chose, remembered in this browser. */
export function PreferencesProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  const [timeZone, setTimeZoneState] = useState<string>(() => stored('timeZone') ?? DEFAULT_TIME_ZONE);
  const value = useMemo<Preferences>(
    () => ({
      language,
      timeZone,
      setLanguage(next) {
        store('language', next);
        setLanguageState(next);
      },
      setTimeZone(next) {
        store('timeZone', next);
        setTimeZoneState(next);
      },
    }),
    [language, timeZone],
  );
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  return <PreferencesContext.Provider value={value}>{children}</PreferencesContext.Provider>;
}

export function usePreferences(): Preferences {
  const preferences = useContext(PreferencesContext);
  if (!preferences) throw new Error('usePreferences outside PreferencesProvider');
  return preferences;
}

export type Translate<K extends string> = (key: K, values?: Record<string, string | number>) => string;

/** The translation function for one screen's messages, in the chosen language. */
export function useMessages<K extends string>(messages: Messages<K>): Translate<K> {
  const { language } = usePreferences();
  return useCallback<Translate<K>>(
    (key, values) => {
      const text = messages[language][key];
      return values ? text.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole)) : text;
    },
    [language, messages],
  );
}
