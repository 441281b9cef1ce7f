from ergen.cli import main

main()
