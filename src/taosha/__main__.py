from taosha.cli import main

main()
